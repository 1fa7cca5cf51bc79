import { DOCUMENT } from '@angular/common';
import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';

import { COLOR_THEME_STORAGE_KEY } from '../core/color-theme';
import { ThemePicker } from './theme-picker';

describe('ThemePicker', () => {
  const attached: HTMLElement[] = [];

  beforeEach(() => localStorage.clear());
  afterEach(() => {
    attached.splice(0).forEach((element) => element.remove());
    localStorage.clear();
    TestBed.inject(DOCUMENT).documentElement.removeAttribute('data-theme');
  });

  async function render(): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(ThemePicker);
    // Attached, so that focus can move.
    attached.push(document.body.appendChild(fixture.nativeElement as HTMLElement));
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  const toggle = (picker: HTMLElement) => picker.querySelector<HTMLButtonElement>('[data-testid="theme-toggle"]')!;

  it('names the current theme on its button and opens three choices with the current one checked and focused', async () => {
    const picker = await render();
    expect(toggle(picker).getAttribute('aria-label')).toBe('Theme: System');
    expect(toggle(picker).getAttribute('aria-expanded')).toBe('false');

    toggle(picker).click();
    await TestBed.inject(ApplicationRef).whenStable();

    const radios = [...picker.querySelectorAll<HTMLInputElement>('input[type=radio]')];
    expect(radios.map((radio) => radio.value)).toEqual(['system', 'light', 'dark']);
    expect(radios.find((radio) => radio.checked)?.value).toBe('system');
    expect(document.activeElement).toBe(radios[0]);
    expect(toggle(picker).getAttribute('aria-expanded')).toBe('true');
  });

  it('a click on a choice applies and stores it, then closes the choices and returns focus to the button', async () => {
    const picker = await render();
    toggle(picker).click();
    await TestBed.inject(ApplicationRef).whenStable();

    picker.querySelector<HTMLInputElement>('input[value=dark]')!.dispatchEvent(new MouseEvent('click', { bubbles: true, detail: 1 }));
    await TestBed.inject(ApplicationRef).whenStable();

    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    expect(localStorage.getItem(COLOR_THEME_STORAGE_KEY)).toBe('dark');
    expect(picker.querySelector('[data-testid="theme-choices"]')).toBeNull();
    expect(toggle(picker).getAttribute('aria-label')).toBe('Theme: Dark');
    expect(document.activeElement).toBe(toggle(picker));
  });

  it('Escape closes the choices', async () => {
    const picker = await render();
    toggle(picker).click();
    await TestBed.inject(ApplicationRef).whenStable();

    picker.querySelector('fieldset')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await TestBed.inject(ApplicationRef).whenStable();

    expect(picker.querySelector('[data-testid="theme-choices"]')).toBeNull();
    expect(document.activeElement).toBe(toggle(picker));
  });
});
