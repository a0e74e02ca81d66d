/** Every ONNX op (default domain) the converter maps, by op type. */
import { ELEMENTWISE } from './elementwise';
import { INDEX_OPS } from './index-ops';
import { NN_OPS } from './nn';
import { REDUCE_OPS } from './reduce';
import { RESIZE_OPS } from './resize';
import { RNN_OPS } from './rnn';
import { SHAPE_OPS } from './shape';
import type { Handler } from './types';

export const HANDLERS: Record<string, Handler> = {
  ...ELEMENTWISE,
  ...SHAPE_OPS,
  ...NN_OPS,
  ...REDUCE_OPS,
  ...INDEX_OPS,
  ...RESIZE_OPS,
  ...RNN_OPS,
};
