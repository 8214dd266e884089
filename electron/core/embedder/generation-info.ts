import { z } from 'zod';

/**
 * What every generation_info.json from runEmbeddings holds (other fields are allowed): how phase 3 made its
 * vectors, so queries and validation can embed and fuse the same way.
 */
export const GenerationInfoSchema = z.looseObject({
  model: z.string(),
  aligned: z.boolean(),
  manifest_path: z.string(),
  fusion: z.enum(['average', 'weighted', 'concat']),
  alpha: z.number(),
  beta: z.number(),
  multi_patch: z.boolean(),
});

export type GenerationInfo = z.infer<typeof GenerationInfoSchema>;
