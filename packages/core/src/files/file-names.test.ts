import { describe, expect, it } from 'vitest';
import { storedFileName, storedNamePattern } from './file-names.js';

describe('stored file names', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\windows\\win.ini', 'win'],
    ['Pässwörd file.png.exe', 'Password_file_png'],
    ['.htaccess', 'file'],
    ['', 'file'],
    ['\u0000\u202e evil.png', 'evil'],
    ['-rf --no-preserve-root.txt', 'rf_--no-preserve-root'],
    ['日本語.pdf', 'file'],
  ])('turns %j into a name with stem %j, no path part and the sniffed extension', (given, stem) => {
    const name = storedFileName(given, 'png');
    expect(name).toMatch(storedNamePattern);
    expect(name.startsWith(`${stem}_`)).toBe(true);
    expect(name.endsWith('.png')).toBe(true);
    expect(name).not.toMatch(/[/\\]|\.\./);
  });

  it('never gives the same name twice for the same upload name', () => {
    const names = new Set(Array.from({ length: 1000 }, () => storedFileName('same.png', 'png')));
    expect(names.size).toBe(1000);
  });

  it('keeps stems short', () => {
    expect(storedFileName(`${'a'.repeat(500)}.txt`, 'txt').length).toBeLessThanOrEqual(60 + 1 + 10 + 4);
  });
});
