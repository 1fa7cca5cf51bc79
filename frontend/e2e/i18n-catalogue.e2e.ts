import { describe, expect, it } from 'vitest';

import { placeholders, readCatalogue, sourceMessageIds, unmarkedTemplateTexts } from './support/i18n';

// The catalogues against the source: every text a user reads is marked, extracted and translated.
describe('translation catalogues', () => {
  const english = readCatalogue('messages.json');
  const spanish = readCatalogue('messages.es.json');

  it('marks every text of the templates for translation', () => {
    expect(unmarkedTemplateTexts()).toEqual([]);
  });

  it('holds every message of the source, each with an @@id (run `npm run i18n:extract -w frontend` after a change)', () => {
    const extracted = Object.keys(english.translations);
    expect(extracted.filter((id) => /^\d+$/.test(id)), 'messages without an @@id').toEqual([]);
    expect([...sourceMessageIds()].filter((id) => !(id in english.translations)), 'not extracted yet').toEqual([]);
  });

  it('has a Spanish translation of every message, with the same placeholders', () => {
    const missing = Object.keys(english.translations).filter((id) => !spanish.translations[id]?.trim());
    expect(missing).toEqual([]);
    expect(Object.keys(spanish.translations).filter((id) => !(id in english.translations)), 'translations of no message').toEqual([]);
    const mismatched = Object.entries(english.translations)
      .filter(([id, text]) => id in spanish.translations && placeholders(text).join() !== placeholders(spanish.translations[id]).join())
      .map(([id]) => id);
    expect(mismatched).toEqual([]);
  });
});
