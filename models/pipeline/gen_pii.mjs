// Fill presidio-research templates with @faker-js/faker values (seeded, deterministic).
// Usage: node gen_pii.mjs <templates.txt> <split.json: {train:[ids], val:[ids]}> <out.jsonl> [fillsPerTemplate]
import fs from 'node:fs';
import { fakerEN_US, fakerEN_GB, fakerDE, fakerFR, fakerES, fakerIT, fakerNL, fakerPL, fakerPT_BR, fakerSV } from '@faker-js/faker';

const [, , tplPath, splitPath, outPath, perArg] = process.argv;
const PER = Number(perArg || 60);
const SHARED = '/work/shared/data/pii/presidio-research';
const templates = fs.readFileSync(tplPath, 'utf8').split('\n');
const split = JSON.parse(fs.readFileSync(splitPath, 'utf8'));
const fakers = [fakerEN_US, fakerEN_US, fakerEN_US, fakerEN_GB, fakerDE, fakerFR, fakerES, fakerIT, fakerNL, fakerPL, fakerPT_BR, fakerSV];
fakers.forEach((f, i) => { f.seed(1234 + i); f.setDefaultRefDate(new Date('2026-01-01T00:00:00Z')); });
let rs = 987654321;
const rnd = () => { rs = (rs * 1103515245 + 12345) % 2147483648; return rs / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const csv = (p) => fs.readFileSync(p, 'utf8').replace(/^\uFEFF/, '').split('\n').slice(1).filter(Boolean);
const companies = csv(`${SHARED}/companies_and_organizations.csv`).map((l) => l.split(',')[0].replace(/^"|"$/g, '')).filter((s) => s && s.length < 60);
const nat = csv(`${SHARED}/nationalities.csv`).map((l) => l.split(','));
const dls = csv(`${SHARED}/us_driver_licenses.csv`).map((l) => l.trim()).filter(Boolean);
const cap = (s) => s.replace(/\b\w/g, (c) => c.toUpperCase());

const MAP = {
  organization: 'ORGANIZATION', address: 'STREET_ADDRESS', building_number: 'STREET_ADDRESS', street_name: 'STREET_ADDRESS',
  secondary_address: 'STREET_ADDRESS', postcode: 'STREET_ADDRESS', name_male: 'PERSON', person: 'PERSON', first_name: 'PERSON',
  last_name: 'PERSON', name: 'PERSON', name_female: 'PERSON', first_name_male: 'PERSON', last_name_female: 'PERSON',
  last_name_male: 'PERSON', first_name_nonbinary: 'PERSON', first_name_female: 'PERSON', year: 'DATE_TIME', date_time: 'DATE_TIME',
  day_of_week: 'DATE_TIME', date_of_birth: 'DATE_TIME', country: 'GPE', city: 'GPE', state_abbr: 'GPE', credit_card_number: 'CREDIT_CARD',
  ssn: 'US_SSN', us_driver_license: 'US_DRIVER_LICENSE', age: 'AGE', zipcode: 'ZIP_CODE', prefix_female: 'TITLE', prefix_male: 'TITLE',
  prefix: 'TITLE', job: 'TITLE', url: 'DOMAIN_NAME', email: 'EMAIL_ADDRESS', phone_number: 'PHONE_NUMBER', iban: 'IBAN_CODE',
  ip_address: 'IP_ADDRESS', nationality: 'NRP', nation_woman: 'NRP', nation_plural: 'NRP',
};

function fmtDate(d) {
  const m = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const y = d.getUTCFullYear(), mo = d.getUTCMonth(), da = d.getUTCDate();
  const p = (n) => String(n).padStart(2, '0');
  return pick([`${p(mo + 1)}/${p(da)}/${y}`, `${da} ${m[mo]} ${y}`, `${m[mo]} ${da}, ${y}`, `${y}-${p(mo + 1)}-${p(da)}`, `${m[mo].slice(0, 3)} ${da} ${y}`, `${p(da)}.${p(mo + 1)}.${y}`]);
}
function value(key, f) {
  switch (key) {
    case 'organization': return rnd() < 0.5 ? pick(companies) : f.company.name();
    case 'address': return rnd() < 0.5 ? `${f.location.streetAddress(rnd() < 0.3)}, ${f.location.city()}, ${fakerEN_US.location.state({ abbreviated: true })} ${fakerEN_US.location.zipCode()}` : f.location.streetAddress(rnd() < 0.4);
    case 'building_number': return f.location.buildingNumber();
    case 'street_name': return f.location.street();
    case 'secondary_address': return f.location.secondaryAddress();
    case 'postcode': return f.location.zipCode();
    case 'zipcode': return fakerEN_US.location.zipCode(rnd() < 0.8 ? '#####' : '#####-####');
    case 'name_male': return f.person.fullName({ sex: 'male' });
    case 'name_female': return f.person.fullName({ sex: 'female' });
    case 'person': case 'name': return rnd() < 0.8 ? f.person.fullName() : `${f.person.firstName()} ${f.person.lastName()}`;
    case 'first_name': case 'first_name_nonbinary': return f.person.firstName();
    case 'first_name_male': return f.person.firstName('male');
    case 'first_name_female': return f.person.firstName('female');
    case 'last_name': return f.person.lastName();
    case 'last_name_male': return f.person.lastName('male');
    case 'last_name_female': return f.person.lastName('female');
    case 'year': return String(1940 + Math.floor(rnd() * 90));
    case 'date_time': return rnd() < 0.5 ? fmtDate(fakerEN_US.date.anytime()) : `${fmtDate(fakerEN_US.date.anytime())} ${Math.floor(rnd() * 12) + 1}:${String(Math.floor(rnd() * 60)).padStart(2, '0')} ${pick(['AM', 'PM', 'am', 'pm'])}`;
    case 'day_of_week': return fakerEN_US.date.weekday();
    case 'date_of_birth': return fmtDate(fakerEN_US.date.birthdate());
    case 'country': return fakerEN_US.location.country();
    case 'city': return f.location.city();
    case 'state_abbr': return fakerEN_US.location.state({ abbreviated: true });
    case 'credit_card_number': return fakerEN_US.finance.creditCardNumber(pick(['visa', 'mastercard', 'amex', 'discover', 'visa']));
    case 'ssn': return pick([`${fakerEN_US.string.numeric(3)}-${fakerEN_US.string.numeric(2)}-${fakerEN_US.string.numeric(4)}`, fakerEN_US.string.numeric(9), `${fakerEN_US.string.numeric(3)} ${fakerEN_US.string.numeric(2)} ${fakerEN_US.string.numeric(4)}`]);
    case 'us_driver_license': return rnd() < 0.5 ? pick(dls) : `${fakerEN_US.string.alpha({ length: 1, casing: 'upper' })}${fakerEN_US.string.numeric(rnd() < 0.5 ? 7 : 12)}`;
    case 'age': return String(1 + Math.floor(rnd() * 95));
    case 'prefix_female': return pick(['Mrs.', 'Ms.', 'Miss', 'Dr.', 'Mrs', 'Ms']);
    case 'prefix_male': return pick(['Mr.', 'Dr.', 'Mr', 'Sir']);
    case 'prefix': return pick(['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Prof.', 'Miss']);
    case 'job': return f.person.jobTitle();
    case 'url': return rnd() < 0.6 ? fakerEN_US.internet.domainName() : fakerEN_US.internet.url();
    case 'email': return f.internet.email().toLowerCase();
    case 'phone_number': return rnd() < 0.7 ? fakerEN_US.phone.number() : f.phone.number();
    case 'iban': return fakerEN_US.finance.iban(rnd() < 0.5);
    case 'ip_address': return rnd() < 0.8 ? fakerEN_US.internet.ipv4() : fakerEN_US.internet.ipv6();
    case 'nationality': return cap(pick(nat)[1]);
    case 'nation_woman': return cap(pick(nat)[3]);
    case 'nation_plural': return cap(pick(nat)[4]);
    default: return null;
  }
}

const out = fs.createWriteStream(outPath);
let n = 0;
for (const [part, ids] of Object.entries(split)) {
  const per = part === 'train' ? PER : Math.max(4, Math.round(PER / 6));
  for (const id of ids) {
    // templates.txt writes line breaks inside a template as the two characters `\n`; presidio renders them as real line
    // breaks (synth_dataset_v2), so must we: left literal, "\nJessica" tokenizes as "n" + "##jessica" and teaches entity
    // starts in mid-word. Other backslashes (`\,`, `\|`) are literal in presidio's renderings too.
    const tpl = templates[id]?.replace(/\\n/g, '\n');
    if (!tpl || !tpl.trim()) continue;
    for (let k = 0; k < per; k++) {
      const f = pick(fakers);
      let text = '', spans = [], last = 0, ok = true;
      const re = /{{\s*(\w+)\s*}}/g; let m;
      while ((m = re.exec(tpl))) {
        text += tpl.slice(last, m.index);
        let v = value(m[1], f);
        if (v == null) v = value(m[1] === 'person' || m[1] === 'name' ? 'first_name' : m[1], f);
        if (v == null || !MAP[m[1]]) { ok = false; break; }
        spans.push({ type: MAP[m[1]], start: text.length, end: text.length + v.length });
        text += v; last = m.index + m[0].length;
      }
      if (!ok) continue;
      text += tpl.slice(last);
      if (rnd() < 0.12) text = text.toLowerCase();
      out.write(JSON.stringify({ text, spans, template_id: id, split: part, src: 'faker' }) + '\n'); n++;
    }
  }
}
out.end();
console.error(`gen_pii: wrote ${n} sentences`);
