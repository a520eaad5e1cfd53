import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import type { OpenApiDocument } from './service-document';

/** Injection token of the service's {@link OpenApiDocument}. */
export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

/** The files of Swagger UI the page loads, served from the installed `swagger-ui-dist` (no CDN). */
const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;

/**
 * Starts Swagger UI on this service's document. Its own file rather than an inline script, so that a
 * Content-Security-Policy without 'unsafe-inline' lets it run. No validator badge: it would call out.
 */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/docs/openapi.json',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: false,
  });
});
`;

function page(title: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title.replace(/[<>&"]/g, '')} API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/docs-init.js"></script>
  </body>
</html>
`;
}

/**
 * The service's API, documented: `GET /docs` is Swagger UI, `GET /docs/openapi.json` the OpenAPI 3.1
 * document it shows, generated from the same zod schemas that validate the requests. Public, like
 * health and metrics: the document holds no data, and every operation it lists still needs its token.
 */
@Controller('docs')
@Public()
export class DocsController {
  private readonly assets: ReadonlyMap<string, { type: string; body: string | Buffer }>;

  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenApiDocument) {
    // Read once at boot, so a missing install fails the boot, not the first visit. createRequire, not
    // require.resolve: webpack would replace the latter with a module id in the bundle.
    const root = dirname(createRequire(__filename).resolve('swagger-ui-dist/package.json'));
    this.assets = new Map<string, { type: string; body: string | Buffer }>([
      ...SWAGGER_UI_FILES.map(
        (file) =>
          [
            file,
            {
              type: file.endsWith('.css') ? 'text/css' : 'text/javascript',
              body: readFileSync(join(root, file)),
            },
          ] as const,
      ),
      ['docs-init.js', { type: 'text/javascript', body: INIT_SCRIPT }],
    ]);
  }

  @Get()
  ui(@Res() response: Response): void {
    response.type('text/html').send(page(this.document.info.title));
  }

  @Get('openapi.json')
  openapi(): OpenApiDocument {
    return this.document;
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    const asset = this.assets.get(file);
    if (!asset) throw new NotFoundException(`no docs file ${file}`);
    response.type(asset.type).set('cache-control', 'public, max-age=3600').send(asset.body);
  }
}
