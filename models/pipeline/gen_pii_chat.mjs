// Chat-style PII prompts (seeded, deterministic): how people actually paste personal data into an assistant.
// Carrier phrases per entity type are split by a hash into train/val/test, so validation and the chat test measure
// generalisation to phrasings never seen in training; values come from @faker-js/faker in many locales and formats
// (NOT from presidio's FakeNameGenerator rows, which fill presidio's own held-out test sentences).
// Usage: node gen_pii_chat.mjs <benign-prompts.txt> <out.jsonl> [trainRows] [wide-vocabulary-sentences.txt]
import fs from 'node:fs';
import crypto from 'node:crypto';
import * as F from '@faker-js/faker';

const [, , benignPath, outPath, nArg, widePath] = process.argv;
const N_TRAIN = Number(nArg || 24000);
const benign = fs.readFileSync(benignPath, 'utf8').split('\n').map((s) => s.replace(/<noinput>/g, '').trim()).filter((s) => s && s.length < 220);

let rs = 20261123;
const rnd = () => { rs = (rs * 1103515245 + 12345) % 2147483648; return rs / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const chance = (p) => rnd() < p;
const digits = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

const LOCALES = ['EN_US', 'EN_US', 'EN_US', 'EN_GB', 'EN_IN', 'EN_AU', 'EN_CA', 'DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'PT_BR', 'SV',
  'DA', 'FI', 'CS_CZ', 'HU', 'TR', 'VI', 'NB_NO', 'RO', 'EN_IE', 'ES_MX', 'UK', 'ID_ID'];
const fakers = LOCALES.map((l) => F[`faker${l}`]).filter(Boolean);
fakers.forEach((f, i) => { f.seed(777 + i); f.setDefaultRefDate(new Date('2026-01-01T00:00:00Z')); });
const us = F.fakerEN_US;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n) => String(n).padStart(2, '0');
function date(d) {
  const y = d.getUTCFullYear(), mo = d.getUTCMonth(), da = d.getUTCDate();
  return pick([`${p2(mo + 1)}/${p2(da)}/${y}`, `${mo + 1}/${da}/${y}`, `${da} ${MONTHS[mo]} ${y}`, `${MONTHS[mo]} ${da}, ${y}`,
    `${MONTHS[mo]} ${da}`, `${y}-${p2(mo + 1)}-${p2(da)}`, `${MONTHS[mo].slice(0, 3)} ${da}`, `${p2(da)}.${p2(mo + 1)}.${y}`,
    `${MONTHS[mo]} ${da}${['st', 'nd', 'rd'][((da + 90) % 100 - 10) % 10 - 1] || 'th'}`]);
}
function luhn(prefix, len) {
  let s = prefix + digits(len - prefix.length - 1);
  let sum = 0;
  for (let i = 0; i < s.length; i++) { let d = Number(s[s.length - 1 - i]); if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; } sum += d; }
  return s + ((10 - (sum % 10)) % 10);
}
const group = (s, sizes, sep) => { const out = []; let i = 0; for (const n of sizes) { out.push(s.slice(i, i + n)); i += n; } return out.join(sep); };

/** One value per entity type, in the many shapes people type them. */
const VALUE = {
  PERSON: (f) => {
    const first = f.person.firstName(), last = f.person.lastName();
    const v = pick([`${first} ${last}`, `${first} ${last}`, first, `${first} ${us.string.alpha({ length: 1, casing: 'upper' })}. ${last}`, last, `${first} ${f.person.firstName()} ${last}`]);
    return chance(0.15) ? v.toLowerCase() : v;
  },
  EMAIL_ADDRESS: (f) => { const e = f.internet.email({ firstName: f.person.firstName(), lastName: f.person.lastName() }); return chance(0.7) ? e.toLowerCase() : e; },
  PHONE_NUMBER: (f) => {
    const a = digits(3), b = digits(3), c = digits(4);
    return pick([`(${a}) ${b}-${c}`, `${a}-${b}-${c}`, `${a}.${b}.${c}`, `+1 ${a} ${b} ${c}`, `+1-${a}-${b}-${c}`, `${a}${b}${c}`,
      `+44 ${digits(2)} ${digits(4)} ${digits(4)}`, `07${digits(3)} ${digits(6)}`, `+49 ${digits(3)} ${digits(7)}`, `+33 ${digits(1)} ${group(digits(8), [2, 2, 2, 2], ' ')}`,
      `+91 ${digits(5)} ${digits(5)}`, f.phone.number(), f.phone.number(), us.phone.number()]);
  },
  CREDIT_CARD: () => {
    const [pre, len] = pick([['4', 16], ['4', 16], ['51', 16], ['55', 16], ['2221', 16], ['37', 15], ['34', 15], ['6011', 16]]);
    const n = luhn(pre, len);
    const sizes = len === 15 ? [4, 6, 5] : [4, 4, 4, 4];
    return pick([n, group(n, sizes, ' '), group(n, sizes, '-'), group(n, sizes, ' ')]);
  },
  US_SSN: () => { const a = String(100 + Math.floor(rnd() * 565)), b = digits(2), c = digits(4); return pick([`${a}-${b}-${c}`, `${a}-${b}-${c}`, `${a} ${b} ${c}`, `${a}${b}${c}`]); },
  IP_ADDRESS: () => (chance(0.8) ? pick([us.internet.ipv4(), `192.168.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`, `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`]) : us.internet.ipv6()),
  IBAN_CODE: () => { const v = us.finance.iban(); return chance(0.5) ? v.match(/.{1,4}/g).join(' ') : v; },
  DOMAIN_NAME: (f) => pick([us.internet.domainName(), us.internet.domainName(), us.internet.url(), `www.${us.internet.domainName()}`, `${us.internet.url()}/${us.lorem.word()}`]),
  STREET_ADDRESS: (f) => pick([f.location.streetAddress(), f.location.streetAddress(chance(0.5)), `${f.location.streetAddress()}, ${f.location.city()}`,
    `${us.location.streetAddress()}, ${us.location.city()}, ${us.location.state({ abbreviated: true })} ${us.location.zipCode('#####')}`]),
  GPE: (f) => pick([f.location.city(), f.location.city(), us.location.country(), us.location.state(), f.location.city()]),
  ORGANIZATION: (f) => pick([f.company.name(), us.company.name(), `${us.person.lastName()} ${pick(['Bank', 'Hospital', 'University', 'Insurance', 'Clinic', 'Law Group', 'Pharmacy'])}`]),
  AGE: () => String(pick([1 + Math.floor(rnd() * 17), 18 + Math.floor(rnd() * 70), 18 + Math.floor(rnd() * 70)])),
  DATE_TIME: () => (chance(0.8) ? date(us.date.birthdate()) : date(us.date.soon({ days: 60 }))),
  TITLE: (f) => pick(['Dr.', 'Mr.', 'Mrs.', 'Ms.', 'Prof.', 'Dr', 'Mr', f.person.jobTitle(), f.person.jobTitle()]),
  NRP: () => pick(['German', 'French', 'Mexican', 'Indian', 'Chinese', 'Nigerian', 'Brazilian', 'Polish', 'Irish', 'Korean', 'Vietnamese', 'Turkish', 'Canadian', 'Italian', 'Filipino', 'Pakistani', 'Egyptian', 'Swedish', 'Kenyan', 'Japanese']),
  US_DRIVER_LICENSE: () => pick([`${us.string.alpha({ length: 1, casing: 'upper' })}${digits(7)}`, `${us.string.alpha({ length: 1, casing: 'upper' })}${digits(12)}`, digits(9), `${us.string.alpha({ length: 2, casing: 'upper' })}${digits(6)}`]),
  ZIP_CODE: () => (chance(0.8) ? us.location.zipCode('#####') : us.location.zipCode('#####-####')),
};

// Carrier clauses: {X} is the value slot of the clause's type; a few clauses carry two types ({PERSON} + {X}).
const CARRIERS = {
  PERSON: ['{X} is my landlord and he won\'t fix the heater', 'can you proofread this letter from {X}', 'my name\'s {X}, nice to meet you', '{X} and I are getting divorced', 'write a thank you note to {X} for the flowers', 'my grandmother {X} passed away last week', 'tell me how to ask {X} out', 'my boss, {X}, wants the report by friday', 'compose a text to {X} saying I\'m running late', 'is it weird that {X} hasn\'t texted back', 'help me write a eulogy for {X}', 'please schedule a call with {X}', '{X} recommended you', 'my therapist {X} suggested journaling', 'i\'m writing a LinkedIn recommendation for {X}', 'our new hire {X} starts monday', 'can you make a seating chart with {X} next to {Y:PERSON}', 'the plaintiff is {X}', 'author: {X}', 'assigned to {X}',
    'my name is {X}', "i'm {X}", 'this is {X}', '{X} here', 'write a birthday message for {X}', 'my coworker {X} keeps taking credit for my work',
    'draft an email to {X} about the project delay', 'my daughter {X} needs help with her homework', 'can you write a reference letter for {X}',
    'my landlord {X} refuses to return my deposit', 'I had a fight with {X} yesterday', 'tell {X} the meeting moved', 'my manager is {X}',
    'please address it to {X}', 'signed, {X}', 'from {X}', 'my husband {X} is sick', 'write a poem for my wife {X}', 'how do I tell {X} I am quitting',
    '{X} owes me money', 'my patient {X} has a rash', 'the tenant {X} has not paid rent', 'regards, {X}', 'best, {X}', 'my son {X} is failing math',
    'i want to surprise {X}', 'summarize this note from {X}', 'my doctor, {X}, prescribed this', 'remind {X} to call me', 'interview notes for candidate {X}',
    'cc {X} on this', 'dear {X},', 'hi {X},', 'write a wedding toast for {X} and {Y:PERSON}', 'my friend {X} lent me his car', 'the account holder is {X}'],
  EMAIL_ADDRESS: ['{X} is my email', 'drop me a line at {X}', 'my gmail is {X}', 'the password reset went to {X}', 'unsubscribe {X} from the list', 'i got a phishing email from {X}', 'send the pdf over to {X} please', 'my old email {X} got hacked', 'contact: {X}', 'login: {X}',
    'my email is {X}', 'email me at {X}', 'send it to {X}', 'reach me at {X}', 'my email address: {X}', 'contact {X} for details',
    "i can't log in to {X}", 'forward this to {X}', 'reply to {X}', 'is {X} a valid email', 'cc {X}', 'my work email is {X}', 'you can write to {X}',
    'the invoice went to {X}', 'email: {X}', 'ping me on {X}', 'change my login from {X}', 'someone hacked {X}'],
  PHONE_NUMBER: ['{X} is my cell', 'give me a ring at {X}', 'my number changed to {X}', 'the dentist\'s office number is {X}', 'call back {X}', 'fax {X}', 'sms {X} when you arrive', 'emergency contact: {X}', 'my work phone {X} isn\'t working', 'who owns the number {X}',
    'call me at {X}', 'my number is {X}', 'my phone number is {X}', 'text me on {X}', 'phone: {X}', 'you can reach me at {X}',
    'my cell is {X}', 'whatsapp {X}', 'i keep getting spam calls from {X}', 'tel {X}', 'call {X} after 5', 'is {X} a scam number',
    'my mom\'s number is {X}', 'office line {X}', 'mobile: {X}', 'contact number {X}'],
  CREDIT_CARD: ['{X} is my visa', 'please update my card to {X}', 'the charge on {X} is fraud', 'my mastercard number: {X}', 'use card no. {X}', 'i lost my credit card, the number was {X}', 'payment method: {X}',
    'my card number is {X}', 'charge it to {X}', 'my credit card {X} was declined', 'card: {X}', 'visa {X}', 'i paid with {X}',
    'someone used my card {X}', 'cc number {X}', 'is {X} a valid card number', 'my debit card {X} expired', 'refund it to card {X}', 'card ending {X}'],
  US_SSN: ['{X} is my ssn', 'my social security # is {X}', 'employee ssn: {X}', 'ssn on file: {X}', 'fill in SSN {X} on the W-4',
    'my ssn is {X}', 'social security number {X}', 'ssn: {X}', 'my social is {X}', 'SSN {X}', 'here is my social security number: {X}',
    'the form asks for my ssn, it is {X}', 'his SSN is {X}', 'tax id {X}', 'my ss# is {X}'],
  IP_ADDRESS: ['{X} is spamming my logs', 'my router is at {X}', 'nginx won\'t bind to {X}', 'traceroute to {X} fails', 'allow traffic from {X}', 'our vpn gateway is {X}', 'the attacker used {X}',
    'my server at {X} is down', 'ssh into {X}', 'my ip is {X}', 'block {X} in the firewall', 'why does {X} keep hitting my api',
    'ping {X}', 'the host {X} times out', 'ip address: {X}', 'i got banned, my ip was {X}', 'the database lives at {X}', 'whitelist {X}', 'connect to {X} on port 22'],
  IBAN_CODE: ['{X} is my iban', 'wire the deposit to {X}', 'account iban {X}', 'my german bank account: {X}', 'beneficiary IBAN {X}',
    'my iban is {X}', 'IBAN: {X}', 'transfer it to {X}', 'send the money to iban {X}', 'bank account {X}', 'pay into {X}', 'is {X} a valid iban'],
  DOMAIN_NAME: ['{X} is my portfolio', 'i run {X}', 'scrape {X} for prices', 'why is {X} blocked at work', 'my startup\'s site is {X}', 'source: {X}',
    'my website is {X}', 'check out {X}', 'is {X} safe', 'my blog {X} is slow', 'i bought {X}', 'visit {X}', 'the site {X} is down',
    'my shop is at {X}', 'review my landing page {X}', 'link: {X}', 'what do you think of {X}'],
  STREET_ADDRESS: ['{X} is where i live', 'mail it to {X}', 'our new office: {X}', 'the accident happened at {X}', 'my return address is {X}', 'billing address {X}', 'can you find restaurants near {X}', 'the package was left at {X}',
    'i live at {X}', 'my address is {X}', 'ship it to {X}', 'deliver to {X}', 'address: {X}', 'we moved to {X}', 'the party is at {X}',
    'my office is at {X}', 'send the letter to {X}', 'the house at {X} has mold', 'pick me up at {X}', 'my old address was {X}'],
  GPE: ['{X} is where i\'m from', 'i\'m visiting {X} in june', 'how far is {X} from here', 'we just moved to {X}', 'living in {X} is expensive', 'my sister lives in {X}', 'what\'s the time in {X}', 'i was born and raised in {X}',
    'i live in {X}', "i'm from {X}", 'moving to {X} next month', 'flights from {X}', 'best restaurants in {X}', 'i grew up in {X}',
    'weather in {X} tomorrow', 'my family is in {X}', 'i work in {X}', 'born in {X}', 'we are relocating to {X}', 'rent prices in {X}'],
  ORGANIZATION: ['{X} is my employer', 'i just got hired by {X}', 'my contract with {X} ends soon', 'i\'m suing {X}', 'my account at {X} was frozen', 'i volunteer at {X}', 'draft a resignation letter to {X}', 'is {X} a good place to work',
    'i work at {X}', 'my employer is {X}', 'i got an offer from {X}', '{X} fired me', 'my bank is {X}', 'i applied to {X}',
    'write a complaint to {X}', 'i interned at {X}', 'cover letter for {X}', 'my insurance company {X} denied my claim', 'i bank with {X}', 'customer of {X}'],
  AGE: ['{X} years old, male', 'i\'m a {X} year old woman', 'my kid is {X} and still wets the bed', 'age {X}', 'i\'m {X} and feel stuck', 'my grandpa is turning {X}',
    "i'm {X} years old", 'i am {X}', 'my son is {X}', 'she just turned {X}', 'age: {X}', 'a {X} year old', '{X} yo', 'my dad is {X} years old',
    'i turn {X} next week', 'patient, {X}, male', 'my {X}-year-old daughter'],
  DATE_TIME: ['{X} is my birthday', 'i was hired on {X}', 'the deadline is {X}', 'my lease ends {X}', 'our anniversary is {X}', 'book a table for {X}', 'my last period was {X}',
    'my birthday is {X}', 'born on {X}', 'dob: {X}', 'date of birth {X}', 'my appointment is on {X}', 'i was born {X}',
    'the surgery is scheduled for {X}', 'we got married on {X}', 'my flight is on {X}', 'due date {X}'],
  TITLE: ['as a {X} i need help', 'i\'m applying for a {X} role', '{X} {Y:PERSON} will see you now', 'my title is {X}', 'hiring a {X}',
    '{X} {Y:PERSON}', 'i work as a {X}', 'my job title is {X}', "i'm a {X}", 'promoted to {X}', 'position: {X}'],
  NRP: ['as an {X} woman', 'i\'m half {X}', 'my {X} grandparents', 'being {X} in america', 'my husband is {X}',
    "i'm {X}", 'i am {X}', 'my wife is {X}', 'as a {X} citizen', 'my {X} passport', 'my parents are {X}'],
  US_DRIVER_LICENSE: ['{X} is my license number', 'driver\'s license {X}', 'my DL number: {X}', 'license # {X} was suspended',
    "my driver's license number is {X}", 'license no. {X}', 'DL {X}', 'driver license: {X}', 'my license {X} expired', 'dl# {X}'],
  ZIP_CODE: ['{X} is my zip', 'shipping zip {X}', 'i\'m in {X}', 'zip/postal: {X}', 'find doctors in {X}',
    'my zip code is {X}', 'zip {X}', 'zipcode: {X}', 'deliver to zip {X}', 'postal code {X}', 'stores near {X}'],
};

const OPENERS = ['', '', '', 'hi, ', 'hey ', 'hello! ', 'ok so ', 'quick question: ', 'please help, ', 'um ', 'Hi there. '];
const ASKS = ['can you help me write a complaint?', 'what should I do?', 'please draft a reply.', 'can you fix the grammar?', 'is this safe to share?',
  'help me fill in this form', 'write a short email about it', 'what are my options?', 'thanks', 'can you summarize this?', 'rewrite this more politely',
  'translate this to Spanish', 'make it sound professional', 'is that a problem?', 'any advice?', ''];

// Hard negatives: numbers, versions, codes and capitalised words that are not personal data.
const NEG = [
  () => `what is ${Math.floor(rnd() * 900) + 10} times ${Math.floor(rnd() * 90) + 2}?`,
  () => `solve ${Math.floor(rnd() * 9) + 2}x + ${Math.floor(rnd() * 50)} = ${Math.floor(rnd() * 200)}`,
  () => `my python ${pick(['3.11', '3.12', '3.10.4', '2.7'])} script throws error ${Math.floor(rnd() * 900) + 100}`,
  () => `how do I fix HTTP ${pick(['404', '500', '503', '401'])} on port ${pick(['8080', '3000', '443', '5432'])}?`,
  () => `convert ${Math.floor(rnd() * 500)} km to miles`,
  () => `what is ${Math.floor(rnd() * 90) + 5}% of ${Math.floor(rnd() * 5000)}?`,
  () => `explain chapter ${Math.floor(rnd() * 30) + 1} of the textbook in simple words`,
  () => `the recipe needs ${Math.floor(rnd() * 5) + 1} cups of flour and ${Math.floor(rnd() * 300) + 100} g of sugar, can I halve it?`,
  () => `why does git say ${pick(['HEAD detached at', 'commit'])} ${us.git.commitSha().slice(0, 7)}?`,
  () => `compare the iPhone ${Math.floor(rnd() * 6) + 11} and the Pixel ${Math.floor(rnd() * 5) + 5}`,
  () => `what does error code 0x${digits(8)} mean in Windows?`,
  () => `my model gets ${Math.floor(rnd() * 40) + 60}.${digits(1)}% accuracy, is that good?`,
  () => `how many calories are in ${Math.floor(rnd() * 400) + 50} grams of rice`,
  () => `set a timer for ${Math.floor(rnd() * 50) + 5} minutes`,
];

const hash = (s) => crypto.createHash('sha1').update(s).digest().readUInt32BE(0) / 2 ** 32;
const splitOf = (carrier) => { const h = hash(`carrier:${carrier}`); return h < 0.7 ? 'train' : h < 0.85 ? 'val' : 'test'; };
const bySplit = { train: [], val: [], test: [] };
for (const [type, list] of Object.entries(CARRIERS)) for (const c of list) bySplit[splitOf(c)].push({ type, c });

function fillClause({ type, c }, f, text, spans) {
  let out = text;
  const re = /\{(X|Y:(\w+))\}/g; let m, last = 0;
  while ((m = re.exec(c))) {
    out += c.slice(last, m.index);
    const t = m[1] === 'X' ? type : m[2];
    const v = VALUE[t](f);
    spans.push({ type: t, start: out.length, end: out.length + v.length });
    out += v; last = m.index + m[0].length;
  }
  return out + c.slice(last);
}
const upperFirst = (s) => s.replace(/^(\s*)([a-z])/, (_, a, b) => a + b.toUpperCase());

function row(split) {
  const carriers = bySplit[split];
  const f = pick(fakers);
  const spans = [];
  let text = pick(OPENERS);
  const nClauses = chance(0.55) ? 1 : chance(0.7) ? 2 : 3;
  for (let i = 0; i < nClauses; i++) {
    if (i > 0) text += pick([', ', '. ', ' and ', '; ', '\n', ' - ']);
    const start = text.length;
    text = fillClause(pick(carriers), f, text, spans);
    if (i === 0 && chance(0.6)) text = text.slice(0, start) + upperFirst(text.slice(start));
  }
  const r = rnd();
  if (r < 0.35) text += pick(['. ', ', ', '! ', '\n']) + pick(ASKS);
  else if (r < 0.6 && benign.length) {
    if (chance(0.5)) text = `${text}. ${pick(benign)}`;
    else {
      const prefix = `${pick(benign)} ${pick(['By the way, ', 'btw ', 'Also ', 'PS: '])}`;
      text = prefix + text;
      for (const s of spans) { s.start += prefix.length; s.end += prefix.length; }
    }
  } else text += pick(['', '.', '!', '?', ' thx']);
  // Lower-case some prompts, only where that keeps every offset (e.g. not Turkish dotted I).
  if (chance(0.2) && text.toLowerCase().length === text.length) text = text.toLowerCase();
  return { text, spans: spans.sort((a, b) => a.start - b.start), split, src: 'chat-faker', template_id: -2 };
}

const out = [];
const counts = { train: N_TRAIN, val: Math.round(N_TRAIN / 30), test: Math.round(N_TRAIN / 20) };
for (const [split, n] of Object.entries(counts)) {
  for (let i = 0; i < n; i++) {
    out.push(row(split));
  }
  const nNeg = Math.round(n * 0.12);
  for (let i = 0; i < nNeg; i++) out.push({ text: pick(NEG)(), spans: [], split, src: 'chat-negative', template_id: -3 });
}
// ---- Compositional clauses (train only). Written after every row above, so those rows (and the val/test sets) stay as
// they were. The fixed carriers above give a few hundred contexts; held-out carriers showed the model extending names over
// the next word ("Cali Howell hasn't", "called Lily Nolan"). Here an entity meets many verbs, relations and tails on both
// sides. Any phrase whose two words before or after the slot equal those of a val/test carrier is dropped, so validation
// still measures unseen contexts.
const slotContext = (c) => {
  const [before, after] = c.toLowerCase().split(/\{(?:x|y:\w+)\}/).map((t) => t.split(/\s+/).filter(Boolean));
  return { before: (before || []).slice(-2).join(' '), after: (after || []).slice(0, 2).join(' ') };
};
const heldOut = [...bySplit.val, ...bySplit.test].map(({ c }) => slotContext(c));
const isHeldOutContext = (c) => { const k = slotContext(c); return heldOut.some((h) => (k.before.includes(' ') && k.before === h.before) || (k.after.includes(' ') && k.after === h.after)); };
const SUBJECT_VERBS = {
  PERSON: ["hasn't replied to my email", 'keeps calling me at night', 'said I should apply', 'is coming over tonight', 'just got promoted', 'broke up with me',
    'sent me this message', 'asked me to review this', "can't make it on friday", 'is allergic to peanuts', 'wants the money back', 'lied to me',
    'will pick up the kids', 'left the company', 'is in the hospital', 'moved to another team', 'borrowed my laptop', 'invited us to dinner',
    'never answers the phone', 'signed the lease', 'needs a ride', "didn't show up", 'is my emergency contact', 'won the election', 'wrote this poem',
    'disagrees with me', 'gave me this advice', 'is my plus one', 'reported the bug', 'forgot my birthday', 'is retiring', 'approved the budget',
    'stole my idea', 'is pregnant', 'snores loudly', 'has the flu', 'was late again', 'shared the document with me', 'voted against it', 'owes rent'],
  ORGANIZATION: ['charged me twice', "hasn't refunded me", 'denied my claim', 'just laid off half the team', 'sent me a job offer', 'closed my account',
    'is hiring engineers', 'changed its privacy policy', 'lost my package', 'raised my premium', 'cancelled my order', 'went bankrupt', 'sponsors the event'],
  GPE: ['is so hot in july', 'has great food', 'was flooded last week', 'is too expensive for us', 'feels lonely in winter', 'has good schools'],
};
const OBJECT_VERBS = {
  PERSON: ['i need to call', 'remind me to thank', 'write an apology to', "i'm meeting", 'how do I forgive', 'plan a surprise party for', 'what gift should I buy for',
    'i ran into', 'help me reply to', 'translate this for', 'i keep dreaming about', 'write a cover note introducing', 'can you roast', 'i miss',
    'say happy anniversary to', 'book a table for me and', 'how do I apologise to', 'draft a contract between us and', 'i want to hire', 'i am worried about',
    'ask', 'invite', 'email', 'text', 'thank', 'congratulate', 'pay', 'warn', 'call'],
  ORGANIZATION: ['i want to cancel my subscription with', 'write a review of', 'how do I complain to', "i'm interviewing at", 'my shares in', 'refund request to',
    'compare the benefits at', 'i owe money to', 'my pension is with'],
  GPE: ["i'm flying to", 'cheap hotels in', 'a weekend trip to', 'we drove through', 'the train from', 'my cousin studies in', 'taxes in', 'a day trip near'],
  STREET_ADDRESS: ['meet me at', 'the venue is', 'the Airbnb at', 'my parcel is stuck at', 'the open house at', 'drop the keys off at', 'the noise complaint is about',
    'i sublet my room at', 'the crash was outside'],
};
const RELATIONS = ['sister', 'brother', 'neighbour', 'neighbor', 'roommate', 'ex', 'tutor', 'cousin', 'uncle', 'aunt', 'client', 'colleague', 'teammate',
  'girlfriend', 'boyfriend', 'partner', 'mom', 'dad', 'grandson', 'nurse', 'lawyer', 'accountant', 'professor', 'student', 'intern', 'babysitter'];
const POSSESSED = ["birthday is next week", "car broke down", "dog bit my kid", "flight got cancelled", "wedding is in may", "essay needs editing", "phone is off"];
const TAILS = ['', '', '', ' tomorrow', ' last night', ' at the gym', ' about the rent', ' again', ' on friday', ' this morning', ' after work', ' twice'];
function augClause(f, spans, text) {
  const typ = pick(['PERSON', 'PERSON', 'PERSON', 'PERSON', 'ORGANIZATION', 'GPE', 'STREET_ADDRESS']);
  const forms = [];
  if (SUBJECT_VERBS[typ]) forms.push(`{X} ${pick(SUBJECT_VERBS[typ])}`);
  forms.push(`${pick(OBJECT_VERBS[typ])} {X}${pick(TAILS)}`);
  if (typ === 'PERSON') {
    forms.push(`my ${pick(RELATIONS)} {X} ${pick(SUBJECT_VERBS.PERSON)}`, `{X}'s ${pick(POSSESSED)}`, `${pick(OBJECT_VERBS.PERSON)} {X} and {Y:PERSON}${pick(TAILS)}`,
      `${pick(['invite', 'add', 'cc', 'seat together'])} {X}, {Y:PERSON} and {Y:PERSON}`, `{X} ${pick(['told', 'called', 'asked', 'introduced me to'])} {Y:PERSON}`,
      `i work for {Y:ORGANIZATION} with {X}`, `{X} from {Y:GPE} ${pick(SUBJECT_VERBS.PERSON)}`);
  }
  const c = pick(forms);
  if (isHeldOutContext(c)) return null;
  return fillClause({ type: typ, c }, f, text, spans);
}
const wide = widePath ? fs.readFileSync(widePath, 'utf8').split('\n').filter((t) => t && t.length < 260) : [];
const N_AUG = Math.round(N_TRAIN / 3);
let nAug = 0, nHeldOutSkipped = 0;
while (nAug < N_AUG) {
  const f = pick(fakers), spans = [];
  let text = pick(OPENERS);
  const n = chance(0.6) ? 1 : 2;
  let ok = true;
  for (let i = 0; i < n; i++) {
    if (i > 0) text += pick([', ', '. ', ' and ', '\n', ' - ']);
    const start = text.length, next = augClause(f, spans, text);
    if (next == null) { ok = false; break; }
    text = next;
    if (i === 0 && chance(0.6)) text = text.slice(0, start) + upperFirst(text.slice(start));
  }
  if (!ok) { nHeldOutSkipped++; continue; }
  text += chance(0.4) ? pick(['. ', ', ', '? ', '\n']) + pick(ASKS) : pick(['', '.', '!', '?', ' lol', ' :(']);
  // PII-free sentences with a wide vocabulary around the clause, so rare ordinary words are seen labelled O.
  if (wide.length && chance(0.4)) {
    if (chance(0.5)) text = `${text} ${pick(wide)}`;
    else {
      const prefix = `${pick(wide)} ${pick(['', 'Also, ', 'btw ', 'Anyway '])}`;
      text = prefix + text;
      for (const s of spans) { s.start += prefix.length; s.end += prefix.length; }
    }
  }
  if (chance(0.2) && text.toLowerCase().length === text.length) text = text.toLowerCase();
  out.push({ text, spans: spans.sort((a, b) => a.start - b.start), split: 'train', src: 'chat-compositional', template_id: -4 });
  nAug++;
}
console.error(`gen_pii_chat: ${nAug} compositional train rows (${nHeldOutSkipped} drafts dropped for a held-out context)`);
fs.writeFileSync(outPath, out.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.error(`gen_pii_chat: ${out.length} rows; carriers train/val/test ${bySplit.train.length}/${bySplit.val.length}/${bySplit.test.length}`);
