import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';

import { AuthService } from '../../core/auth-service';

import { UNDO_WINDOW_MS, UndoService } from './undo';

describe('UndoService', () => {
  let undo: UndoService;

  beforeEach(() => {
    vi.useFakeTimers();
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([{ path: '**', children: [] }])] });
    undo = TestBed.inject(UndoService);
  });

  afterEach(() => vi.useRealTimers());

  const action = (message: string) => ({ message, undo: vi.fn(), commit: vi.fn() });

  it('goes ahead when the 5 s pass without an undo, and not before', () => {
    const deleted = action('Deleted “A”');
    undo.offer(deleted);

    vi.advanceTimersByTime(UNDO_WINDOW_MS - 1);
    expect(deleted.commit).not.toHaveBeenCalled();
    expect(undo.current()?.message).toBe('Deleted “A”');

    vi.advanceTimersByTime(1);
    expect(deleted.commit).toHaveBeenCalledTimes(1);
    expect(deleted.undo).not.toHaveBeenCalled();
    expect(undo.current()).toBeNull();
  });

  it('takes it back on "Undo", and then never goes ahead', () => {
    const deleted = action('Deleted “A”');
    undo.offer(deleted);

    undo.undo();
    vi.advanceTimersByTime(UNDO_WINDOW_MS * 2);

    expect(deleted.undo).toHaveBeenCalledTimes(1);
    expect(deleted.commit).not.toHaveBeenCalled();
  });

  it('waits while the bar is hovered or focused, then gives the rest of the window', () => {
    const deleted = action('Deleted “A”');
    undo.offer(deleted);
    vi.advanceTimersByTime(4_000);

    undo.hold();
    vi.advanceTimersByTime(60_000);
    expect(deleted.commit).not.toHaveBeenCalled();

    undo.release();
    vi.advanceTimersByTime(999);
    expect(deleted.commit).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(deleted.commit).toHaveBeenCalledTimes(1);
  });

  it('offers one undo at a time: a newer action closes the window of the one before', () => {
    const first = action('Deleted “A”');
    const second = action('Archived “B”');
    undo.offer(first);
    undo.offer(second);

    expect(first.commit).toHaveBeenCalledTimes(1);
    expect(undo.current()?.message).toBe('Archived “B”');
  });

  it('sends what waits when the page is closed, and drops it when the user signs out', () => {
    const first = action('Deleted “A”');
    undo.offer(first);
    window.dispatchEvent(new Event('pagehide'));
    expect(first.commit).toHaveBeenCalledTimes(1);

    const second = action('Deleted “B”');
    undo.offer(second);
    undo.drop();
    vi.advanceTimersByTime(UNDO_WINDOW_MS);
    expect(second.commit).not.toHaveBeenCalled();
    expect(second.undo).not.toHaveBeenCalled();
  });

  it('closes the next window on time after an undo pressed with the pointer on the bar', () => {
    undo.offer(action('Deleted “A”'));
    undo.hold(); // the pointer is on the bar, which goes when Undo is pressed: no mouseleave follows
    undo.undo();

    const next = action('Deleted “B”');
    undo.offer(next);
    vi.advanceTimersByTime(UNDO_WINDOW_MS);
    expect(next.commit).toHaveBeenCalledTimes(1);
  });

  it('undoes with Ctrl+Z from anywhere but a text field', () => {
    const deleted = action('Deleted “A”');
    undo.offer(deleted);
    const search = document.body.appendChild(document.createElement('input'));

    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true, bubbles: true }));
    expect(deleted.undo).not.toHaveBeenCalled();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true, bubbles: true }));
    expect(deleted.undo).toHaveBeenCalledTimes(1);
    search.remove();
  });

  it('sends what waits when the user signs out here, before the session ends', () => {
    const deleted = action('Deleted “A”');
    undo.offer(deleted);

    TestBed.inject(AuthService).logout();

    expect(deleted.commit).toHaveBeenCalledTimes(1);
  });
});
