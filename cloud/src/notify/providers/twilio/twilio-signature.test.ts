import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature } from './twilio-signature.ts';

// The worked example of Twilio's "Webhooks security" page (also the vector in twilio-node/-python/-php
// RequestValidator tests): AuthToken 12345, this URL and these POST parameters.
const TOKEN = '12345';
const URL = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: [string, string][] = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675309'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
];

describe('twilioSignature', () => {
  it("reproduces Twilio's documented example", () => {
    expect(twilioSignature(TOKEN, URL, PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('does not depend on the order the parameters arrive in', () => {
    expect(twilioSignature(TOKEN, URL, [...PARAMS].reverse())).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('verifies the header and refuses any change to token, URL, parameters or signature', () => {
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
    expect(verifyTwilioSignature('54321', URL, PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(verifyTwilioSignature(TOKEN, `${URL}&x=1`, PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false);
    expect(
      verifyTwilioSignature(TOKEN, URL, [...PARAMS, ['Body', 'OK']], 'RSOYDt4T1cUTdK1PDd93/VVr8B8='),
    ).toBe(false);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8')).toBe(false);
    expect(verifyTwilioSignature(TOKEN, URL, PARAMS, undefined)).toBe(false);
  });
});
