import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import compression from 'compression';
import express, { Express, Request, Response } from 'express';
import { pageContentSecurityPolicy } from '../security-headers';

const FRONTEND_DIR = Symbol('FRONTEND_DIR');

/** Paths the server itself answers: never a file of the app, never its index.html. */
const SERVER_PATH = /^\/(api|socket\.io|ws)(\/|$)/i;

/**
 * A file Angular names by its content (`main-3XK2QF7L.js`, `chunk-…`, `styles-…`): a new build
 * gives it a new name, so a browser may keep it for a year without asking again.
 */
const CONTENT_HASHED_FILE = /-[A-Z0-9]{8,}\.[a-z0-9]+$/;

/** Where Angular looks for the nonce of its style elements (`ngCspNonce` on an element of the body). */
const ROOT_ELEMENT_TAG = '<app-root';

/**
 * Serves the built Angular app from the API's process: its files as they are, and index.html,
 * with a style nonce of its own, for every other page path (the app routes in the browser).
 *
 * It is mounted in onModuleInit, which Nest runs after it has mounted the API routes and before
 * its 404 and error handlers, so an API request never reaches it and an error raised before a
 * route (a malformed or oversized body) reaches Nest's error handler untouched. This replaces
 * @nestjs/serve-static, whose error handler turned every error on its excluded paths into
 * 404 "Cannot POST …", and which could not give index.html a nonce.
 */
@Module({})
export class FrontendModule implements OnModuleInit {
  static forRoot(frontendDir: string): DynamicModule {
    return { module: FrontendModule, providers: [{ provide: FRONTEND_DIR, useValue: frontendDir }] };
  }

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(FRONTEND_DIR) private readonly frontendDir: string,
  ) {}

  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter.getInstance<Express>();
    const indexFile = path.join(this.frontendDir, 'index.html');
    // index.html is answered below (with its nonce); a folder falls through to it as a page path.
    const files = express.static(this.frontendDir, { index: false, redirect: false, setHeaders: setCacheControl });
    const pagePolicy = pageContentSecurityPolicy();
    // Brotli or gzip as the browser asks, for the app's files and pages only: the API's answers
    // are small, and compressing what carries tokens next to what an attacker sends invites BREACH.
    // Brotli at quality 6: about as small as the slow settings, in the time gzip takes; every
    // uncached request pays it (docs/performance.md, "First load").
    const compress = compression({ brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6 } } });

    app.use((request, response, next) => {
      if (!isPageRequest(request)) return next();
      compress(request, response, next);
    });
    app.use((request, response, next) => {
      if (!isPageRequest(request) || request.path === '/index.html') return next();
      files(request, response, next);
    });
    app.use((request, response, next) => {
      if (!isPageRequest(request)) return next();
      const nonce = randomBytes(16).toString('base64');
      response.locals.styleNonce = nonce;
      pagePolicy(request, response, (policyError?: unknown) => {
        if (policyError) return next(policyError);
        // Read on every page load (rare next to API calls), so a rebuilt app is served at once.
        readFile(indexFile, 'utf8').then(
          (html) => {
            // The page names the current build's hashed files: never reused without asking.
            response
              .type('html')
              .set('Cache-Control', 'no-cache')
              .send(html.replace(ROOT_ELEMENT_TAG, `${ROOT_ELEMENT_TAG} ngCspNonce="${nonce}"`));
          },
          // Not built (yet): Nest's JSON 404, as for any unknown path.
          (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? next() : next(error)),
        );
      });
    });
  }
}

/** Hashed files for ever; anything else (the icon, the web manifest) is checked with its ETag each time. */
function setCacheControl(response: Response, filePath: string): void {
  response.setHeader('Cache-Control', CONTENT_HASHED_FILE.test(path.basename(filePath)) ? 'public, max-age=31536000, immutable' : 'no-cache');
}

function isPageRequest(request: Request): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !SERVER_PATH.test(request.path);
}
