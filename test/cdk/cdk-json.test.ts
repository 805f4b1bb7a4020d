import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { CDK_JSON_CONTEXT } from './support/synth.js';

describe('cdk.json', () => {
  it('holds only context that aws-cdk-lib v2 accepts, so `npx cdk synth` can start', () => {
    expect(() => new Stack(new App({ context: CDK_JSON_CONTEXT }), 'Probe')).not.toThrow();
  });

  it('turns off notices and CLI telemetry, so synth stays offline', () => {
    expect(CDK_JSON_CONTEXT['cli-telemetry']).toBe(false);
  });
});
