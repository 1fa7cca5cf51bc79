/** What a page says after the user's action: it worked, or what went wrong. */
export interface Feedback {
  readonly kind: 'success' | 'error';
  readonly text: string;
}
