import type {WebGPUBackend, WebGPUProgram} from '@tensorflow/tfjs-backend-webgpu';
import {TensorInfo, util} from '@tensorflow/tfjs-core';

/*
 * How this folder's programs run: every tensor is handed to tfjs as a flat
 * view of its buffer, and every size the shaders need is one of our own
 * uniforms.
 *
 * Why flat views: tfjs-backend-webgpu keys its pipeline cache on the program's
 * `shaderKey` plus facts it derives from the shapes it is given (ranks,
 * which inputs broadcast against the output, which equal it). With the real
 * shapes a batch of 1, or a single class, would broadcast and compile a new
 * pipeline. Inputs viewed as `[size]` and the output as `[size, 1]` give the
 * same facts for every shape (nothing broadcasts against a last axis of 1,
 * and no rank-1 input equals a rank-2 output), so a new batch size or class
 * count reuses the compiled pipelines. The output keeps its real shape for
 * tfjs; only the program sees the flat view.
 */

/** Threads per workgroup of every program here: one size, one pipeline. */
export const WORKGROUP_SIZE = 64;

/**
 * The most workgroups one dispatch asks for along x (WebGPU's guaranteed
 * `maxComputeWorkgroupsPerDimension`). Threads loop over their work with
 * the dispatch's size as stride, so a dispatch stays one-dimensional (tfjs reshapes larger
 * ones, which would change the shader) whatever the batch.
 */
export const MAX_WORKGROUPS = 65535;

/**
 * A program of this folder: its `uniforms` are int32 fields, and
 * `uniformValues` their values, in order, then as many float32 fields as
 * `floatUniformValues` has values (the cap of capped programs).
 */
export interface FlatProgram extends WebGPUProgram {
  uniformValues: number[];
  floatUniformValues?: number[];
}

/** `info` seen as a flat `[size]` tensor (same buffer). */
function flatInput(info: TensorInfo): TensorInfo {
  return {...info, shape: [util.sizeFromShape(info.shape)]};
}

/**
 * Runs `program` on `inputs` into a new `dtype` tensor of the program's
 * `outputShape` (not empty: kernels return early for an empty batch),
 * every tensor seen flat (see above).
 */
export function runFlatProgram(
    backend: WebGPUBackend, program: FlatProgram, inputs: TensorInfo[],
    dtype: 'float32'|'int32' = 'float32'): TensorInfo {
  const {outputShape} = program;
  const output = backend.makeTensorInfo(outputShape, dtype);
  const uniforms = [
    ...program.uniformValues.map(value => ({type: 'int32', data: [value]})),
    ...(program.floatUniformValues ?? []).map(
        value => ({type: 'float32', data: [value]})),
  ];
  backend.runWebGPUProgram(
      program, inputs.map(flatInput), dtype, uniforms,
      {...output, shape: [util.sizeFromShape(outputShape), 1]});
  return output;
}

/** A one-dimensional dispatch of `workgroups`, at most `MAX_WORKGROUPS`. */
export function workgroupsFor(workgroups: number): [number, number, number] {
  return [Math.max(1, Math.min(workgroups, MAX_WORKGROUPS)), 1, 1];
}
