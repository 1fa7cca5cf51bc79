import { renderDigest, renderMail, renderSms, SMS_MAX_LENGTH, SMS_MAX_LENGTH_UCS2 } from './delivery-templates';

const facts = { language: 'en' as const, priority: 'CRITICAL' as const, title: 'Insulin for Ada Lovelace', message: 'Room 12 <now>', link: 'https://clinic.example/notifications', includeContent: false };

describe('delivery templates', () => {
  it('say only that a notification arrived and where to open it, by default: no title, no message', () => {
    const mail = renderMail(facts);
    expect(mail.subject).toBe('[Clinic] A new CRITICAL notification');
    expect(mail.text).toBe('You have a new CRITICAL notification in Clinic.\n\nOpen it in Clinic: https://clinic.example/notifications\n');
    expect(`${mail.subject}${mail.text}${mail.html}`).not.toMatch(/Ada|Room 12/);
    expect(renderSms(facts)).toBe('Clinic: you have a new CRITICAL notification. Open https://clinic.example/notifications');
  });

  it('without PUBLIC_URL there is no link to give, and the text says so plainly', () => {
    expect(renderSms({ ...facts, link: null })).toBe('Clinic: you have a new CRITICAL notification. Open Clinic to see it.');
    expect(renderMail({ ...facts, link: null }).text).toContain('Open Clinic to see it.');
  });

  it('with the content: the HTML escapes it, and an SMS cuts the title, never the link, within one segment', () => {
    const withContent = { ...facts, includeContent: true, title: `${facts.title} ${'x'.repeat(200)}` };
    expect(renderMail(withContent).html).toContain('Room 12 &lt;now&gt;');
    const sms = renderSms(withContent);
    expect(sms.length).toBe(SMS_MAX_LENGTH);
    expect(sms.endsWith('... https://clinic.example/notifications')).toBe(true);
  });

  it('an SMS stays one segment: a Spanish title in the GSM alphabet, anything else cut to 70 UCS-2 characters', () => {
    const spanish = renderSms({ ...facts, includeContent: true, title: `Análisis urgente para María Ibáñez “hoy” – ${'x'.repeat(200)}` });
    expect(spanish.startsWith('Clinic CRITICAL: Analisis urgente para Maria Ibañez "hoy" - xxx')).toBe(true);
    expect(spanish.length).toBe(SMS_MAX_LENGTH);
    expect(spanish.endsWith('... https://clinic.example/notifications')).toBe(true);

    const withEmoji = renderSms({ ...facts, includeContent: true, title: `Код 🚨 ${'x'.repeat(200)}` });
    expect(withEmoji.length).toBeLessThanOrEqual(SMS_MAX_LENGTH_UCS2);
    expect(withEmoji.endsWith('… https://clinic.example/notifications')).toBe(true);

    // An extension character ({, €) takes two of the 160.
    const braces = renderSms({ ...facts, includeContent: true, title: '{'.repeat(200) });
    expect(braces).toBe(`Clinic CRITICAL: ${'{'.repeat(51)}... https://clinic.example/notifications`);
  });

  it('a digest counts what is unread; titles only with the content allowed, escaped, the rest counted', () => {
    const newest = [
      { priority: 'HIGH' as const, title: 'Lab result for <Ada>' },
      { priority: 'NORMAL' as const, title: 'Order confirmed' },
    ];
    const digest = { language: 'en' as const, unreadCount: 5, newest, link: 'https://clinic.example/notifications', includeContent: false };
    const privateMail = renderDigest(digest);
    expect(privateMail.subject).toBe('[Clinic] Your daily digest: 5 unread notifications');
    expect(`${privateMail.text}${privateMail.html}`).not.toMatch(/Ada|Order confirmed/);
    const withContent = renderDigest({ ...digest, includeContent: true });
    expect(withContent.text).toBe(
      'You have 5 unread notifications in Clinic.\n\n- [HIGH] Lab result for <Ada>\n- Order confirmed\n…and 3 more\n\nOpen your inbox: https://clinic.example/notifications\n',
    );
    expect(withContent.html).toContain('Lab result for &lt;Ada&gt;');
    expect(renderDigest({ ...digest, unreadCount: 1 }).subject).toBe('[Clinic] Your daily digest: 1 unread notification');
  });

  describe('in Spanish', () => {
    const es = { ...facts, language: 'es' as const };

    it('a mail and an SMS without the content', () => {
      const mail = renderMail(es);
      expect(mail.subject).toBe('[Clinic] Una nueva notificación CRÍTICA');
      expect(mail.text).toBe('Tienes una nueva notificación CRÍTICA en Clinic.\n\nÁbrela en Clinic: https://clinic.example/notifications\n');
      expect(mail.html).toContain('<html lang="es">');
      expect(mail.html).toContain('>Ábrela en Clinic</a>');
      expect(renderMail({ ...es, priority: 'HIGH' }).subject).toBe('[Clinic] Una nueva notificación de prioridad alta');
      expect(renderMail({ ...es, link: null }).text).toBe('Tienes una nueva notificación CRÍTICA en Clinic.\n\nAbre Clinic para verla.\n');
      // In the GSM alphabet (é, ñ and ü are in it; á, í, ó, ú are written without the accent): one segment.
      expect(renderSms(es)).toBe('Clinic: tienes una nueva notificacion CRITICA. Abrela en https://clinic.example/notifications');
      expect(renderSms({ ...es, priority: 'NORMAL', link: null })).toBe('Clinic: tienes una nueva notificacion. Abre Clinic para verla.');
    });

    it('an SMS with the content tags its priority in Spanish', () => {
      expect(renderSms({ ...es, priority: 'HIGH', includeContent: true })).toBe('Clinic ALTA: Insulin for Ada Lovelace https://clinic.example/notifications');
    });

    it('a digest', () => {
      const newest = [
        { priority: 'HIGH' as const, title: 'Resultado de laboratorio' },
        { priority: 'NORMAL' as const, title: 'Pedido confirmado: Ada' },
      ];
      const mail = renderDigest({ language: 'es', unreadCount: 5, newest, link: 'https://clinic.example/notifications', includeContent: true });
      expect(mail.subject).toBe('[Clinic] Tu resumen diario: 5 notificaciones sin leer');
      expect(mail.text).toBe(
        'Tienes 5 notificaciones sin leer en Clinic.\n\n- [ALTA] Resultado de laboratorio\n- Pedido confirmado: Ada\n…y 3 más\n\nAbre tus notificaciones: https://clinic.example/notifications\n',
      );
      const one = renderDigest({ language: 'es', unreadCount: 1, newest: [], link: null, includeContent: false });
      expect(one.subject).toBe('[Clinic] Tu resumen diario: 1 notificación sin leer');
      expect(one.text).toBe('Tienes 1 notificación sin leer en Clinic.\n\nAbre Clinic para verlas.\n');
    });
  });
});
