import * as ort from 'onnxruntime-node';

/** One CPU session per model file, created once; the detector and the segmenter both use it. */
export async function createSession(modelPath: string): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  } catch (error) {
    throw new Error(`cannot load ONNX model ${modelPath}: ${(error as Error).message}`);
  }
}

export { ort };
