// The Chromium every browser bench runs in: the Debian package's (or
// CHROMIUM_PATH), WebGL through ANGLE on SwiftShader, no network of its own.
import {chromium} from 'playwright-core';

/** Launched with WebGPU's adapter too when `webgpu` (SwiftShader's Vulkan). */
export function launchChromium({webgpu = true} = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--use-angle=swiftshader',
      ...(webgpu ? ['--enable-unsafe-webgpu'] : []), '--disable-quic',
      '--no-sandbox', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
