import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectLinear, fill } from '../../test/linear-growth.js';
import { completeStreetNumbers, cutNameSpansAtLineBreaks, dropFunctionWordSpans, dropMalformedSpans, mergePiiSpans, recognizePatterns, refineNameSpansByCase, writerCapitalisesSentences, writerUsesCase } from './pii-patterns.js';
import type { PiiSpan } from './types.js';

const found = (text: string): [string, string][] => recognizePatterns(text).map((s) => [s.type, text.slice(s.start, s.end)]);

describe('recognizePatterns', () => {
  it('finds e-mail addresses without the punctuation around them', () => {
    expect(found('hey my email is john.smith@gmail.com, can you write a cover letter?')).toEqual([['EMAIL_ADDRESS', 'john.smith@gmail.com']]);
    expect(found('(Maria.Gonzalez+work@mail.example.co.uk)')).toEqual([['EMAIL_ADDRESS', 'Maria.Gonzalez+work@mail.example.co.uk']]);
    expect(found('not an email: a@b, user@localhost, @handle')).toEqual([]);
  });

  it('accepts only Luhn-valid card numbers in card-like groups', () => {
    expect(found('my credit card 4111 1111 1111 1111 was charged twice')).toEqual([['CREDIT_CARD', '4111 1111 1111 1111']]);
    expect(found('card 5500-0000-0000-0004.')).toEqual([['CREDIT_CARD', '5500-0000-0000-0004']]);
    expect(found('amex 378282246310005')).toEqual([['CREDIT_CARD', '378282246310005']]);
    expect(found('order 4111111111111112 shipped')).toEqual([]); // Luhn fails
    expect(found('scores 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1')).toEqual([]); // not grouped like a card
  });

  it("finds driver's licence numbers after a licence word, not other codes", () => {
    expect(found("my driver's license number is D1234567 and it expired")).toEqual([['US_DRIVER_LICENSE', 'D1234567']]);
    expect(found('dl# hh571704, DL 730015471; license no. A123456789012')).toEqual([
      ['US_DRIVER_LICENSE', 'hh571704'],
      ['US_DRIVER_LICENSE', '730015471'],
      ['US_DRIVER_LICENSE', 'A123456789012'],
    ]);
    expect(found('my license B7654321 was suspended')).toEqual([['US_DRIVER_LICENSE', 'B7654321']]);
    expect(found('order 7300154 shipped; license key ABCD1234567; licensed in 2019; model X1234567')).toEqual([]);
  });

  it('checks IBANs with mod-97 and stops at the end of the number', () => {
    expect(found('transfer to DE89 3704 0044 0532 0130 00 please')).toEqual([['IBAN_CODE', 'DE89 3704 0044 0532 0130 00']]);
    expect(found('IBAN: GB82WEST12345698765432. I need it today')).toEqual([['IBAN_CODE', 'GB82WEST12345698765432']]);
    expect(found('DE89 3704 0044 0532 0130 01')).toEqual([]); // checksum fails
  });

  it('finds IPv4 and IPv6 addresses but not versions or times', () => {
    expect(found('my server at 192.168.10.24 keeps crashing')).toEqual([['IP_ADDRESS', '192.168.10.24']]);
    expect(found('ssh to 2001:db8::8a2e:370:7334 now')).toEqual([['IP_ADDRESS', '2001:db8::8a2e:370:7334']]);
    expect(found('python 3.11.2 at 12:30:45, v1.2.3.4.5, 999.1.1.1')).toEqual([]);
  });

  it('finds dashed SSNs, and bare ones only next to an SSN context word', () => {
    expect(found("Here's my SSN: 460-89-9847")).toEqual([['US_SSN', '460-89-9847']]);
    expect(found('my social security number is 460 89 9847')).toEqual([['US_SSN', '460 89 9847']]);
    expect(found('ssn 460899847')).toEqual([['US_SSN', '460899847']]);
    expect(found('435 41 0508 is my ssn. please draft a reply')).toEqual([['US_SSN', '435 41 0508']]);
    expect(found('order number 460899847')).toEqual([]);
    expect(found('ssn 000-12-3456 or 666-12-3456')).toEqual([]); // never-issued area numbers
  });

  it('finds phone numbers in common national and international shapes', () => {
    expect(found('call me at (415) 555-0132 tomorrow')).toEqual([['PHONE_NUMBER', '(415) 555-0132']]);
    expect(found('415.555.0132 or +1 415 555 0132')).toEqual([['PHONE_NUMBER', '415.555.0132'], ['PHONE_NUMBER', '+1 415 555 0132']]);
    expect(found('UK: +44 20 7946 0958')).toEqual([['PHONE_NUMBER', '+44 20 7946 0958']]);
    // an extension belongs to the number; its digits don't count towards the number's length
    expect(found("my mom's number is 277.810.2580 x0240! and desk +44 20 7946 0958 ext. 12")).toEqual([
      ['PHONE_NUMBER', '277.810.2580 x0240'],
      ['PHONE_NUMBER', '+44 20 7946 0958 ext. 12'],
    ]);
    expect(found('ref 555-0132 x12345')).toEqual([]);
    expect(found('what is 12 + 34 - 5 * 6')).toEqual([]);
  });

  it('finds shorter or unusually grouped numbers only after a phone word', () => {
    expect(found('call 555-0132 x12345')).toEqual([['PHONE_NUMBER', '555-0132 x12345']]);
    expect(found('my cell is 531 415 379, thanks')).toEqual([['PHONE_NUMBER', '531 415 379']]);
    expect(found('office line 07210 700775. sms me')).toEqual([['PHONE_NUMBER', '07210 700775']]);
    expect(found('Mobile: 03.93.92.16.85')).toEqual([['PHONE_NUMBER', '03.93.92.16.85']]);
    expect(found('Sms (+62) 805 416 437 when you arrive')).toEqual([['PHONE_NUMBER', '(+62) 805 416 437']]);
    // a bare "number is" needs a 10-11 digit number, and not one named as another kind of number
    expect(found("my mom's number is 6126863893")).toEqual([['PHONE_NUMBER', '6126863893']]);
    expect(found('my account number is 6126863893')).toEqual([]);
    expect(found('the number is 531 415 379')).toEqual([]);
    expect(found('I scored 531 415 379 points')).toEqual([]);
  });

  it('finds URLs without trailing sentence punctuation', () => {
    expect(found('My website is http://www.ScrapbookInsider.com.pt/.')).toEqual([['DOMAIN_NAME', 'http://www.ScrapbookInsider.com.pt/']]);
    expect(found('see www.example.org, thanks')).toEqual([['DOMAIN_NAME', 'www.example.org']]);
  });

  it('finds bare domains with a common top-level domain, not file names, frameworks or e-mail hosts', () => {
    expect(found('check out rural-disk.net today, or Example.co.uk.')).toEqual([['DOMAIN_NAME', 'rural-disk.net'], ['DOMAIN_NAME', 'Example.co.uk']]);
    expect(found('run main.py and notes.md with ASP.NET; e.g. this')).toEqual([]);
    expect(found('mail a.b@gmail.com')).toEqual([['EMAIL_ADDRESS', 'a.b@gmail.com']]);
  });

  it('keeps the validated match when matches overlap', () => {
    const spans = recognizePatterns('pay 4111-1111-1111-1111 now');
    expect(spans.map((s) => s.type)).toEqual(['CREDIT_CARD']);
  });

  it('returns sorted, non-overlapping, in-bounds spans for any text', () => {
    const chars = fc.constantFrom(...'0123456789 -.:@+()abcDEFxyz/'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 120 }).map((a) => a.join('')), (text) => {
        const spans = recognizePatterns(text);
        for (let i = 0; i < spans.length; i++) {
          const s = spans[i]!;
          expect(0 <= s.start && s.start < s.end && s.end <= text.length).toBe(true);
          if (i > 0) expect(spans[i - 1]!.end <= s.start).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  describe('stays linear on adversarial input, no catastrophic backtracking (CPU time at 64 KiB vs 256 KiB)', () => {
    // Each unit, repeated, keeps some pattern's candidates alive across the whole text: host names, digit groups, IPv4
    // and IPv6 fragments, e-mail local parts without a domain, IBAN and phone prefixes, one enormous number.
    const units = ['a.', '1 ', '1-', 'a:', `${'x'.repeat(60)}@`, 'DE89 ', 'call 1 2 ', '9', '(1) '];
    for (const unit of units) {
      it(JSON.stringify(unit.length > 12 ? `${unit.slice(0, 4)}…${unit.slice(-4)}` : unit), () => {
        expectLinear((n) => {
          const text = fill(unit, n);
          return () => recognizePatterns(text);
        }, 64 * 1024);
      });
    }
  });
});

describe('mergePiiSpans', () => {
  const span = (type: string, start: number, end: number, score = 0.8): PiiSpan => ({ type, start, end, score });

  it('replaces model spans that overlap an exact pattern match', () => {
    // model: "(415) 555" PHONE + "-0132" CREDIT_CARD; pattern: the whole number
    const merged = mergePiiSpans([span('PERSON', 0, 4), span('PHONE_NUMBER', 11, 20), span('CREDIT_CARD', 20, 25)], [span('PHONE_NUMBER', 11, 25, 0.9)]);
    expect(merged).toEqual([span('PERSON', 0, 4), span('PHONE_NUMBER', 11, 25, 0.9)]);
  });

  it('lets only a confident address or URL shield a match inside it', () => {
    // "sms 214-219-8348" tagged as an address with 0.17: the phone number wins; at 0.8 the address keeps its number
    expect(mergePiiSpans([span('STREET_ADDRESS', 4, 20, 0.17)], [span('PHONE_NUMBER', 8, 20, 0.9)])).toEqual([span('PHONE_NUMBER', 8, 20, 0.9)]);
    expect(mergePiiSpans([span('STREET_ADDRESS', 4, 20, 0.8)], [span('PHONE_NUMBER', 8, 20, 0.9)])).toEqual([span('STREET_ADDRESS', 4, 20, 0.8)]);
  });

  it('replaces a longer model span of the same type (the pattern is exact)', () => {
    // model: DOMAIN_NAME "https://www.example.com and"; pattern: the URL alone
    expect(mergePiiSpans([span('DOMAIN_NAME', 4, 31)], [span('DOMAIN_NAME', 4, 27, 0.9)])).toEqual([span('DOMAIN_NAME', 4, 27, 0.9)]);
  });

  it('keeps a longer street address that contains a number pattern', () => {
    const merged = mergePiiSpans([span('STREET_ADDRESS', 0, 40)], [span('PHONE_NUMBER', 5, 17, 0.9)]);
    expect(merged).toEqual([span('STREET_ADDRESS', 0, 40)]);
  });

  it('never produces overlapping spans from non-overlapping inputs', () => {
    const spansArb = fc
      .array(fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 20 })), { maxLength: 12 })
      .map((xs) => {
        const out: PiiSpan[] = [];
        let at = 0;
        for (const [gap, len] of xs) {
          out.push(span('PERSON', at + (gap % 7), at + (gap % 7) + len));
          at += (gap % 7) + len;
        }
        return out;
      });
    fc.assert(
      fc.property(spansArb, spansArb, (model, patterns) => {
        const merged = mergePiiSpans(model, patterns);
        for (let i = 1; i < merged.length; i++) expect(merged[i - 1]!.end <= merged[i]!.start).toBe(true);
        for (const p of patterns) expect(merged.some((m) => m.start <= p.start && p.end <= m.end)).toBe(true);
      }),
    );
  });
});

describe('dropFunctionWordSpans', () => {
  it('drops name spans made only of function words and keeps real names and other types', () => {
    const text = 'no personal data here, ask me or Ann Lee at 5 pm';
    const spans: PiiSpan[] = [
      { type: 'PERSON', start: 0, end: 2, score: 0.8 }, // "no"
      { type: 'PERSON', start: 27, end: 29, score: 0.8 }, // "me"
      { type: 'PERSON', start: 33, end: 40, score: 0.8 }, // "Ann Lee"
      { type: 'DATE_TIME', start: 44, end: 48, score: 0.8 }, // "5 pm"
    ];
    expect(dropFunctionWordSpans(spans, text).map((s) => text.slice(s.start, s.end))).toEqual(['Ann Lee', '5 pm']);
  });
});


describe('cutNameSpansAtLineBreaks', () => {
  it('ends a name at the line break and leaves other types whole', () => {
    const text = 'Julcsa Kárpáthy\nMhealthcoach\n50668 Kiannonkatu 98\nOULU';
    const spans: PiiSpan[] = [
      { type: 'PERSON', start: 0, end: 28, score: 0.9 }, // "Julcsa Kárpáthy\nMhealthcoach"
      { type: 'STREET_ADDRESS', start: 29, end: 54, score: 0.8 }, // "50668 Kiannonkatu 98\nOULU"
      { type: 'GPE', start: 49, end: 54, score: 0.7 }, // "\nOULU": nothing before the break
    ];
    expect(cutNameSpansAtLineBreaks(spans, text).map((s) => [s.type, text.slice(s.start, s.end), s.score])).toEqual([
      ['PERSON', 'Julcsa Kárpáthy', 0.9],
      ['STREET_ADDRESS', '50668 Kiannonkatu 98\nOULU', 0.8],
    ]);
  });

  it('never grows a span and never leaves a line break inside a name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.nat(40), fc.nat(40), (text, a, b) => {
        const [s, e] = [Math.min(a, b, text.length), Math.min(Math.max(a, b), text.length)];
        for (const o of cutNameSpansAtLineBreaks([{ type: 'PERSON', start: s, end: e, score: 0.5 }], text)) {
          expect(o.start === s && o.end <= e).toBe(true);
          expect(/[\r\n]/.test(text.slice(o.start, o.end))).toBe(false);
        }
      }),
    );
  });
});

describe('refineNameSpansByCase', () => {
  const span = (text: string, piece: string, type = 'PERSON'): PiiSpan => {
    const start = text.indexOf(piece);
    return { type, start, end: start + piece.length, score: 0.9 };
  };
  const words = (spans: PiiSpan[], text: string): string[] => spans.map((s) => text.slice(s.start, s.end));

  it('trims lower-case words off the edges of a capitalised name', () => {
    const text = 'my coworker Zachary Kemmer keeps taking credit, my great grandmother was called Erin Dale';
    const out = refineNameSpansByCase([span(text, 'Zachary Kemmer keeps'), span(text, 'called Erin Dale')], text);
    expect(words(out, text)).toEqual(['Zachary Kemmer', 'Erin Dale']);
    expect(out.every((s) => s.score === 0.9)).toBe(true);
  });

  it('does not leave a lone dash at the edge of a trimmed name', () => {
    const text = 'hi, My bank is Considine - Kohler - position: Mrs.';
    const out = refineNameSpansByCase([span(text, 'Considine - Kohler - position', 'ORGANIZATION')], text);
    expect(words(out, text)).toEqual(['Considine - Kohler']);
  });

  it('keeps lower-case particles inside a name and leaves other types alone', () => {
    const text = 'Ask Ludwig van Beethoven at 5319 rua giovanna street';
    const spans = [span(text, 'Ludwig van Beethoven'), span(text, '5319 rua giovanna street', 'STREET_ADDRESS')];
    expect(words(refineNameSpansByCase(spans, text), text)).toEqual(['Ludwig van Beethoven', '5319 rua giovanna street']);
  });

  it('drops an all-lower-case name span only when the writer capitalises elsewhere', () => {
    const cased = "Is it weird that Karl hasn't texted back? I asked Maria too";
    expect(refineNameSpansByCase([span(cased, 'texted')], cased)).toEqual([]);
    const lower = 'my coworker ana laura braga keeps taking credit, i think';
    expect(words(refineNameSpansByCase([span(lower, 'ana laura braga')], lower), lower)).toEqual(['ana laura braga']);
  });

  it('does not count the pronoun I or sentence-initial capitals as evidence of capitalisation', () => {
    const text = "I'm fine. Then i met john yesterday.\nThanks";
    expect(writerUsesCase(text)).toBe(false);
    expect(words(refineNameSpansByCase([span(text, 'john')], text), text)).toEqual(['john']);
    expect(writerUsesCase('we met John')).toBe(true);
  });

  it('drops lower-case name spans of a writer who capitalises every sentence, keeps those of one who does not', () => {
    const careful = 'My mom just got diagnosed with osteoporosis. What exercises are safe?';
    expect(writerCapitalisesSentences(careful)).toBe(true);
    expect(refineNameSpansByCase([span(careful, 'osteoporosis')], careful)).toEqual([]);
    const casual = 'with jenny and tom coming over saturday, what should i cook?';
    expect(writerCapitalisesSentences(casual)).toBe(false);
    expect(words(refineNameSpansByCase([span(casual, 'jenny')], casual), casual)).toEqual(['jenny']);
    expect(writerCapitalisesSentences('Dinner with jenny. Ok?')).toBe(true);
    expect(writerCapitalisesSentences('Then i met john.')).toBe(false);
  });

  it('keeps spans of uncased scripts and never returns a span outside the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.nat(60), fc.nat(60), (text, a, b) => {
        const [s, e] = [Math.min(a, b, text.length), Math.min(Math.max(a, b), text.length)];
        const out = refineNameSpansByCase([{ type: 'PERSON', start: s, end: e, score: 0.5 }], text);
        for (const o of out) expect(o.start >= s && o.end <= e && o.start <= o.end).toBe(true);
      }),
    );
    const cjk = '我叫王小明 and I met Bob';
    expect(words(refineNameSpansByCase([span(cjk, '王小明')], cjk), cjk)).toEqual(['王小明']);
  });
});

describe('completeStreetNumbers', () => {
  const at = (text: string, piece: string, type = 'STREET_ADDRESS'): PiiSpan => {
    const start = text.indexOf(piece);
    return { type, start, end: start + piece.length, score: 0.8 };
  };
  const shown = (spans: PiiSpan[], text: string): string[][] => spans.map((s) => [s.type, text.slice(s.start, s.end)]);

  it('grows a lone house number over the capitalised street name that follows it', () => {
    const text = 'hi there. My office is at 5319 Rua Giovanna\nhelp me fill in this form';
    expect(shown(completeStreetNumbers([at(text, '5319')], text), text)).toEqual([['STREET_ADDRESS', '5319 Rua Giovanna']]);
    const t2 = 'The title refers to 1668 Glyn St. street in Highveld.';
    expect(shown(completeStreetNumbers([at(t2, '1668'), at(t2, 'Glyn')], t2), t2)).toEqual([['STREET_ADDRESS', '1668 Glyn St.']]);
    const t3 = 'what is your address? it is 6119 Mavis Glen.';
    expect(shown(completeStreetNumbers([at(t3, '6119')], t3), t3)).toEqual([['STREET_ADDRESS', '6119 Mavis Glen']]);
  });

  it('leaves lower-case streets, other types and full addresses alone', () => {
    const text = 'mail it to 764 đinh skyway, my card 4111 Visa and 12 Baker Street London';
    const spans = [at(text, '764'), at(text, '4111', 'CREDIT_CARD'), at(text, '12 Baker Street')];
    expect(shown(completeStreetNumbers(spans, text), text)).toEqual([
      ['STREET_ADDRESS', '764'],
      ['CREDIT_CARD', '4111'],
      ['STREET_ADDRESS', '12 Baker Street'],
    ]);
  });

  it('never overlaps or cuts another span', () => {
    const text = 'at 10 Downing Street London';
    const spans = [at(text, '10'), { type: 'GPE', start: text.indexOf('Street'), end: text.length + 0, score: 0.7 }];
    // "Street London" would be cut in two by growing to a boundary inside it, so growth absorbs it whole or not at all
    const out = completeStreetNumbers(spans, text);
    for (let i = 1; i < out.length; i++) expect(out[i]!.start).toBeGreaterThanOrEqual(out[i - 1]!.end);
  });
});

describe('dropMalformedSpans', () => {
  it('drops punctuation-only spans and structured spans without their shape, keeps well-formed ones', () => {
    const text = '- [ ] call 1 or 0412 345 678, mail a.b@x.io, see docs.example.com, age 4, aged forty, ip 10.0.0.1, card 4111';
    const pick = (piece: string, type: string): PiiSpan => ({ type, start: text.indexOf(piece), end: text.indexOf(piece) + piece.length, score: 0.9 });
    const spans = [
      pick('- [ ]', 'DOMAIN_NAME'),
      pick('1', 'PHONE_NUMBER'),
      pick('0412 345 678', 'PHONE_NUMBER'),
      pick('mail', 'EMAIL_ADDRESS'),
      pick('a.b@x.io', 'EMAIL_ADDRESS'),
      pick('docs.example.com', 'DOMAIN_NAME'),
      pick('4,', 'AGE'),
      pick('forty', 'AGE'),
      pick('10.0.0.1', 'IP_ADDRESS'),
      pick('card', 'AGE'),
      pick('4111', 'CREDIT_CARD'),
    ];
    expect(dropMalformedSpans(spans, text).map((s) => [s.type, text.slice(s.start, s.end)])).toEqual([
      ['PHONE_NUMBER', '0412 345 678'],
      ['EMAIL_ADDRESS', 'a.b@x.io'],
      ['DOMAIN_NAME', 'docs.example.com'],
      ['AGE', '4,'],
      ['AGE', 'forty'],
      ['IP_ADDRESS', '10.0.0.1'],
    ]);
  });

  it("drops name spans that start inside a word (\"ing\" of \"cc'ing\"), keeps O'Brien", () => {
    const text = "Marcus keeps cc'ing me on stuff that isn't mine, says O'Brien";
    const pick = (piece: string): PiiSpan => ({ type: 'PERSON', start: text.indexOf(piece), end: text.indexOf(piece) + piece.length, score: 0.8 });
    const kept = dropMalformedSpans([pick('Marcus'), pick('ing me'), pick('t mine'), pick("O'Brien")], text);
    expect(kept.map((s) => text.slice(s.start, s.end))).toEqual(['Marcus', "O'Brien"]);
  });
});
