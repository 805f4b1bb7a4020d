import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynalite } from '../cli/local/dynalite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynalite = await startDynalite();
  project.provide('dynamodbEndpoint', dynalite.endpoint);
  return () => dynalite.close();
}
