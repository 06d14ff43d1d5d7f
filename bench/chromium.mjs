/* global URL -- a Node global the shared eslint config does not list */
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

/**
 * A new page of `browser` whose requests are served from `files` (a
 * pathname to `[contentType, body]`) on http://localhost/; any other
 * request is refused, so a page never touches the network.
 */
export async function pageServing(browser, files) {
  const page = await browser.newPage();
  await page.route('**/*', route => {
    const url = new URL(route.request().url());
    const file = url.origin === 'http://localhost' ? files[url.pathname] : null;
    return file ? route.fulfill({contentType: file[0], body: file[1]}) :
                  route.abort('blockedbyclient');
  });
  return page;
}
