import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@saga/platform';

/**
 * Where the page's files are: next to this file when run from the sources (tests, `start:dev`), and
 * under `dashboard/public` next to the bundle, where `nest build` copies them (nest-cli.json assets).
 */
function publicDir(): string {
  const candidates = [join(__dirname, 'public'), join(__dirname, 'dashboard', 'public')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`the dashboard's files are missing; looked in ${candidates.join(', ')}`);
  return found;
}

/**
 * The live saga dashboard: `GET /` is its page, `GET /dashboard/assets/<file>` its scripts and styles
 * (plain files, no build step). Only the files that were there at boot are served, never a path. The
 * files hold no data, so they are open; the data they read needs an admin token (docs/security.md).
 */
@Controller()
@Public()
export class DashboardPageController {
  private readonly root = publicDir();
  private readonly files = new Set(
    readdirSync(this.root).filter((name) => /^[\w-]+\.(js|css|svg)$/.test(name)),
  );

  @Get()
  page(@Res() response: Response): void {
    this.send(response, 'index.html');
  }

  @Get('dashboard/assets/:file')
  asset(@Param('file') file: string, @Res() response: Response): void {
    if (!this.files.has(file)) throw new NotFoundException(`no dashboard file ${file}`);
    this.send(response, file);
  }

  private send(response: Response, file: string): void {
    // A demo is rebuilt often; a browser must not keep yesterday's script.
    response.sendFile(file, { root: this.root, headers: { 'cache-control': 'no-cache' } });
  }
}
