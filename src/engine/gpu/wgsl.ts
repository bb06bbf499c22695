/**
 * The WGSL every kernel module starts with: the generated Layer struct (layer-uniform.ts), the random
 * stream, the shared helpers, and the model registry's generated phi/dphi and weight-draw dispatch
 * (src/model/). Module-scope declarations may come in any order in WGSL, so each kernel file just uses
 * what it needs.
 */
import commonWgsl from '../../../shaders/common.wgsl?raw';
import rngWgsl from '../../../shaders/rng.wgsl?raw';
import { activationWgsl, ensembleWgsl } from '../../model/index';
import { layerStructWgsl } from './layer-uniform';

let prelude: string | null = null;

export function shaderPrelude(): string {
  prelude ??= [layerStructWgsl(), rngWgsl, commonWgsl, activationWgsl(), ensembleWgsl()].join('\n\n');
  return prelude;
}
