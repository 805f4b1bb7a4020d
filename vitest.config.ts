import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One in-process DynamoDB emulator (dynalite on 127.0.0.1) for the whole run; tests get its
    // endpoint through inject('dynamodbEndpoint') and use their own table names.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2-core machines: CDK synth tests are CPU-heavy, keep parallelism modest.
    maxWorkers: 2,
  },
});
