// The embedded flows: GB/T 33358-2016 style, no menus. Every line plays its welcome prompt and goes
// straight to its human queue; calls transferred from 110 go to the top-priority queue.
import type { z } from 'zod';
import type { flowFileSchema } from './flow-schema.ts';

export const DEFAULT_FLOWS: z.input<typeof flowFileSchema> = {
  version: 1,
  lines: { main: 'main', enterprise: 'enterprise', from110: 'from110' },
  flows: {
    main: {
      start: 'welcome',
      nodes: {
        welcome: { type: 'play', prompt: 'welcome-12345.wav', next: 'route' },
        route: { type: 'elder-check', elder: 'elder_queue', other: 'queue' },
        elder_queue: { type: 'queue', queue: 'elder', priority: 'elder' },
        queue: { type: 'queue', queue: 'general' },
      },
    },
    enterprise: {
      start: 'welcome',
      nodes: {
        welcome: { type: 'play', prompt: 'welcome-enterprise.wav', next: 'queue' },
        queue: { type: 'queue', queue: 'enterprise' },
      },
    },
    from110: {
      start: 'notice',
      nodes: {
        notice: { type: 'play', prompt: 'from-110.wav', next: 'queue' },
        queue: { type: 'queue', queue: 'from110', priority: 'from110' },
      },
    },
  },
};
