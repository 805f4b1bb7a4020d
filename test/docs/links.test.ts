import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, docPages, readPage } from './pages.js';

/** The page without its fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of a page's inline links and images, e.g. `docs/config.md` or `#quick-start`. */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

/** The anchors GitHub gives a page's headings: lowercase, punctuation dropped, spaces to `-`. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set(
    [...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => {
      const base = (m[1] ?? '')
        .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
        .replace(/ /g, '-');
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      return count === 0 ? base : `${base}-${count}`;
    }),
  );
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

describe('links in README.md and docs/', () => {
  it.each(docPages())('every relative link of %s points at an existing file and heading', (page) => {
    const broken: string[] = [];
    for (const target of linkTargets(readPage(page)).filter((t) => !isExternal(t))) {
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), path);
      if (!existsSync(file)) {
        broken.push(`${target}: no file ${relative(ROOT, file)}`);
      } else if (anchor !== undefined && !anchors(readPage(relative(ROOT, file))).has(anchor)) {
        broken.push(`${target}: no heading with anchor #${anchor} in ${relative(ROOT, file)}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('README.md links every page in docs/', () => {
    const targets = linkTargets(readPage('README.md'));
    for (const page of docPages().filter((p) => p !== 'README.md')) {
      expect(targets, `README.md does not link ${page}`).toContain(page);
    }
  });

  it.each(docPages())('%s speaks of the project itself, not of an outside document', (page) => {
    expect(readPage(page)).not.toMatch(/\bcontract\b|§\s*\d/i);
  });
});
