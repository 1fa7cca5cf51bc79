import { DOCUMENT } from '@angular/common';
import { TestBed } from '@angular/core/testing';

import { COLOR_THEME_STORAGE_KEY, ColorThemeService } from './color-theme';

describe('ColorThemeService', () => {
  let root: HTMLElement;

  beforeEach(() => {
    localStorage.clear();
    root = TestBed.inject(DOCUMENT).documentElement;
    root.removeAttribute('data-theme');
  });
  afterEach(() => {
    localStorage.clear();
    root.removeAttribute('data-theme');
  });

  it('follows the system when nothing is stored: no data-theme on <html>', () => {
    const service = TestBed.inject(ColorThemeService);
    service.apply();

    expect(service.theme()).toBe('system');
    expect(root.hasAttribute('data-theme')).toBe(false);
  });

  it('applies a stored choice, and ignores a value it does not know', () => {
    localStorage.setItem(COLOR_THEME_STORAGE_KEY, 'dark');
    TestBed.inject(ColorThemeService).apply();
    expect(root.getAttribute('data-theme')).toBe('dark');

    TestBed.resetTestingModule();
    root.removeAttribute('data-theme');
    localStorage.setItem(COLOR_THEME_STORAGE_KEY, 'sepia');
    const service = TestBed.inject(ColorThemeService);
    service.apply();
    expect(service.theme()).toBe('system');
    expect(root.hasAttribute('data-theme')).toBe(false);
  });

  it('stores light or dark, and forgets the choice for System', () => {
    const service = TestBed.inject(ColorThemeService);

    service.set('light');
    expect(root.getAttribute('data-theme')).toBe('light');
    expect(localStorage.getItem(COLOR_THEME_STORAGE_KEY)).toBe('light');

    service.set('system');
    expect(root.hasAttribute('data-theme')).toBe(false);
    expect(localStorage.getItem(COLOR_THEME_STORAGE_KEY)).toBeNull();
  });

  it('follows a choice made in another tab', () => {
    const service = TestBed.inject(ColorThemeService);
    localStorage.setItem(COLOR_THEME_STORAGE_KEY, 'dark');
    window.dispatchEvent(new StorageEvent('storage', { key: COLOR_THEME_STORAGE_KEY, newValue: 'dark' }));

    expect(service.theme()).toBe('dark');
    expect(root.getAttribute('data-theme')).toBe('dark');
  });
});
