import { describe, expect, it } from 'vitest';
import { twimlReply } from './twiml.ts';

describe('twimlReply', () => {
  it('wraps and escapes the text, or answers an empty Response', () => {
    expect(twimlReply('a<b & "c"')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>a&lt;b &amp; &quot;c&quot;</Message></Response>',
    );
    expect(twimlReply()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});
