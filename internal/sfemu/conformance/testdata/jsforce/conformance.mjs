// Drives the off-the-shelf jsforce client against a running sfbridge emulator.
// Usage: node conformance.mjs <emulator base URL>
// Prints "ok - <step>" or "not ok - <step>: <why>" per step, then a summary
// line, and exits non-zero when any step failed.
import assert from 'node:assert/strict';
import jsforce from 'jsforce';

const loginUrl = process.argv[2];
if (!loginUrl) {
  console.error('usage: node conformance.mjs <emulator base URL>');
  process.exit(2);
}

const conn = new jsforce.Connection({
  oauth2: {
    loginUrl,
    clientId: 'sfbridge-dev',
    clientSecret: 'sfbridge-dev-secret',
    redirectUri: 'http://127.0.0.1/callback',
  },
  version: '62.0',
});

let passed = 0;
let failed = 0;
async function step(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    const detail = err && err.errorCode ? `${err.errorCode}: ${err.message}` : String(err && err.stack || err);
    console.log(`not ok - ${name}: ${detail.split('\n').join(' | ')}`);
  }
}

// expectError runs fn and checks that it fails with the given Salesforce errorCode.
async function expectError(fn, errorCode) {
  let caught;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected ${errorCode}, the call succeeded`);
  assert.equal(caught.errorCode, errorCode, `expected ${errorCode}, got ${caught.errorCode}: ${caught.message}`);
  return caught;
}

const stamp = Date.now().toString(36);
let accountId;

await step('login with the OAuth 2.0 username-password flow', async () => {
  const info = await conn.login('admin@example.com', 'sfbridge');
  assert.match(info.id, /^005[0-9A-Za-z]{15}$/);
  assert.match(info.organizationId, /^00D[0-9A-Za-z]{15}$/);
  assert.ok(conn.accessToken.startsWith(info.organizationId.slice(0, 15) + '!'), 'access token starts with the org id');
  assert.ok(conn.instanceUrl, 'instance URL set');
});

await step('a wrong password is refused with invalid_grant', async () => {
  const other = new jsforce.Connection({ oauth2: conn.oauth2 });
  let caught;
  try { await other.login('admin@example.com', 'wrong'); } catch (err) { caught = err; }
  assert.ok(caught, 'login with a wrong password succeeded');
  assert.match(String(caught.name || caught.errorCode || caught.message), /invalid_grant/);
});

await step('identity', async () => {
  const id = await conn.identity();
  assert.equal(id.username, 'admin@example.com');
  assert.ok(id.urls && id.urls.rest, 'identity has urls.rest');
});

await step('describeGlobal lists the standard objects', async () => {
  const g = await conn.describeGlobal();
  const names = new Set(g.sobjects.map((o) => o.name));
  for (const n of ['Account', 'Contact', 'Lead', 'Opportunity', 'Case', 'Task', 'Event', 'User']) {
    assert.ok(names.has(n), `describeGlobal lacks ${n}`);
  }
  const acc = g.sobjects.find((o) => o.name === 'Account');
  assert.equal(acc.keyPrefix, '001');
});

await step('describe Account', async () => {
  const d = await conn.sobject('Account').describe();
  assert.equal(d.name, 'Account');
  const name = d.fields.find((f) => f.name === 'Name');
  assert.equal(name.type, 'string');
  assert.equal(name.nillable, false);
  const ext = d.fields.find((f) => f.name === 'Ext_Id__c');
  assert.ok(ext && ext.externalId, 'Ext_Id__c is an external ID (from the schema file)');
  assert.ok(d.childRelationships.some((r) => r.relationshipName === 'Contacts'));
});

await step('create, retrieve, update an Account', async () => {
  const res = await conn.sobject('Account').create({ Name: `Conformance ${stamp}`, Industry: 'Banking' });
  assert.equal(res.success, true);
  assert.match(res.id, /^001[0-9A-Za-z]{15}$/);
  accountId = res.id;
  const rec = await conn.sobject('Account').retrieve(accountId);
  assert.equal(rec.Name, `Conformance ${stamp}`);
  assert.equal(rec.Industry, 'Banking');
  assert.equal(rec.attributes.type, 'Account');
  const upd = await conn.sobject('Account').update({ Id: accountId, Industry: 'Energy' });
  assert.equal(upd.success, true);
  const again = await conn.sobject('Account').retrieve(accountId);
  assert.equal(again.Industry, 'Energy');
});

await step('a 15-character ID retrieves the same record', async () => {
  const rec = await conn.sobject('Account').retrieve(accountId.slice(0, 15));
  assert.equal(rec.Id, accountId);
});

await step('upsert by external ID creates then updates', async () => {
  const key = `EXT-${stamp}`;
  const first = await conn.sobject('Account').upsert({ Name: 'Upserted', Ext_Id__c: key }, 'Ext_Id__c');
  assert.equal(first.success, true);
  assert.equal(first.created, true);
  const second = await conn.sobject('Account').upsert({ Name: 'Upserted again', Ext_Id__c: key }, 'Ext_Id__c');
  assert.equal(second.success, true);
  assert.equal(second.created, false);
  const rows = await conn.query(`SELECT Id, Name FROM Account WHERE Ext_Id__c = '${key}'`);
  assert.equal(rows.totalSize, 1);
  assert.equal(rows.records[0].Name, 'Upserted again');
});

await step('a missing required field fails with REQUIRED_FIELD_MISSING', async () => {
  const err = await expectError(() => conn.sobject('Lead').create({ Company: 'No Name Inc' }), 'REQUIRED_FIELD_MISSING');
  assert.match(err.message, /LastName/);
});

await step('sObject Collections create 450 Contacts in batches of 200', async () => {
  const records = [];
  for (let i = 0; i < 450; i++) {
    records.push({ LastName: `Conf${stamp}-${i}`, AccountId: accountId, Email: `c${i}.${stamp}@example.com` });
  }
  const results = await conn.sobject('Contact').create(records, { allOrNone: false, allowRecursive: true });
  assert.equal(results.length, 450);
  assert.ok(results.every((r) => r.success), 'every contact was created');
});

await step('sObject Collections with one bad record fail it alone', async () => {
  const results = await conn.sobject('Lead').create(
    [{ LastName: 'Good', Company: 'Good Co' }, { Company: 'Bad Co' }],
    { allOrNone: false },
  );
  assert.equal(results[0].success, true);
  assert.equal(results[1].success, false);
  assert.equal(results[1].errors[0].errorCode || results[1].errors[0].statusCode, 'REQUIRED_FIELD_MISSING');
});

await step('query with paging (batchSize 200) fetches every record', async () => {
  const seen = new Set();
  const q = conn.query(`SELECT Id, LastName, Account.Name FROM Contact WHERE Account.Id = '${accountId}' ORDER BY LastName`, {
    autoFetch: true,
    maxFetch: 10000,
    headers: { 'Sforce-Query-Options': 'batchSize=200' },
  });
  q.on('record', (r) => {
    seen.add(r.Id);
    assert.equal(r.Account.Name, `Conformance ${stamp}`);
  });
  await q.run();
  assert.equal(seen.size, 450);
});

await step('queryMore follows nextRecordsUrl', async () => {
  const first = await conn.query(`SELECT Id FROM Contact WHERE AccountId = '${accountId}'`, { autoFetch: false });
  assert.equal(first.totalSize, 450);
  if (!first.done) {
    const next = await conn.queryMore(first.nextRecordsUrl);
    assert.ok(next.records.length > 0);
  }
});

await step('aggregate query', async () => {
  const res = await conn.query(`SELECT COUNT(Id) n, AccountId FROM Contact WHERE AccountId = '${accountId}' GROUP BY AccountId`);
  assert.equal(res.records.length, 1);
  assert.equal(res.records[0].n, 450);
});

await step('a malformed query fails with MALFORMED_QUERY', async () => {
  await expectError(() => conn.query('SELECT Id FRM Account'), 'MALFORMED_QUERY');
});

await step('an unknown field fails with INVALID_FIELD', async () => {
  await expectError(() => conn.query('SELECT Nope__c FROM Account'), 'INVALID_FIELD');
});

await step('composite request with references', async () => {
  const res = await conn.requestPost(`/services/data/v62.0/composite`, {
    allOrNone: true,
    compositeRequest: [
      { method: 'POST', url: '/services/data/v62.0/sobjects/Account', referenceId: 'acc', body: { Name: `Composite ${stamp}` } },
      { method: 'POST', url: '/services/data/v62.0/sobjects/Contact', referenceId: 'con', body: { LastName: 'Ref', AccountId: '@{acc.id}' } },
      { method: 'GET', url: `/services/data/v62.0/sobjects/Account/@{acc.id}?fields=Name`, referenceId: 'get' },
    ],
  });
  assert.equal(res.compositeResponse.length, 3);
  assert.equal(res.compositeResponse[0].httpStatusCode, 201);
  assert.equal(res.compositeResponse[1].httpStatusCode, 201);
  assert.equal(res.compositeResponse[2].body.Name, `Composite ${stamp}`);
});

await step('limits and the Sforce-Limit-Info header tracked by the client', async () => {
  const limits = await conn.limits();
  assert.ok(limits.DailyApiRequests.Max > 0);
  assert.ok(limits.DailyApiRequests.Remaining < limits.DailyApiRequests.Max);
  assert.ok(conn.limitInfo.apiUsage && conn.limitInfo.apiUsage.used > 0, 'limitInfo.apiUsage read from the header');
});

await step('SOSL search', async () => {
  const res = await conn.search(`FIND {Conformance ${stamp}} IN NAME FIELDS RETURNING Account(Id, Name)`);
  assert.ok(res.searchRecords.some((r) => r.Id === accountId), 'the account is found');
});

await step('delete then the record is gone and queryAll sees it deleted', async () => {
  const res = await conn.sobject('Account').destroy(accountId);
  assert.equal(res.success, true);
  let caught;
  try { await conn.sobject('Account').retrieve(accountId); } catch (err) { caught = err; }
  assert.ok(caught, 'a deleted record is still retrievable');
  assert.ok(['ENTITY_IS_DELETED', 'NOT_FOUND'].includes(caught.errorCode), caught.errorCode);
  const all = await conn.query(`SELECT Id, IsDeleted FROM Account WHERE Id = '${accountId}'`, { scanAll: true });
  assert.equal(all.records[0].IsDeleted, true);
});

await step('Bulk API 2.0 ingest with conn.bulk2: insert, results split by outcome', async () => {
  const res = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'insert',
    pollInterval: 50,
    pollTimeout: 20000,
    input: [{ Name: `Bulk ${stamp} A`, NumberOfEmployees: 10 }, { Name: `Bulk ${stamp} B` }, { Name: '', NumberOfEmployees: 3 }],
  });
  assert.equal(res.successfulResults.length, 2, JSON.stringify(res));
  assert.equal(res.failedResults.length, 1, JSON.stringify(res));
  assert.equal(res.unprocessedRecords.length, 0);
  for (const r of res.successfulResults) {
    assert.match(r.sf__Id, /^001[0-9A-Za-z]{15}$/);
    assert.equal(r.sf__Created, 'true');
  }
  assert.match(res.failedResults[0].sf__Error, /^REQUIRED_FIELD_MISSING:/);
});

await step('Bulk API 2.0 query with conn.bulk2 streams the records', async () => {
  const stream = await conn.bulk2.query(
    `SELECT Id, Name, NumberOfEmployees FROM Account WHERE Name LIKE 'Bulk ${stamp}%' ORDER BY Name`,
    { pollInterval: 50, pollTimeout: 20000 },
  );
  const records = await stream.toArray();
  assert.deepEqual(records.map((r) => [r.Name, r.NumberOfEmployees]), [[`Bulk ${stamp} A`, '10'], [`Bulk ${stamp} B`, '']]);
  const limits = await conn.limits();
  assert.ok(limits.DailyBulkV2QueryJobs.Remaining < limits.DailyBulkV2QueryJobs.Max, 'the query job is counted');
  assert.ok(limits.DailyBulkApiBatches.Remaining < limits.DailyBulkApiBatches.Max, 'the ingest batch is counted');
});

await step('an invalid session is refused with INVALID_SESSION_ID', async () => {
  const bad = new jsforce.Connection({ instanceUrl: conn.instanceUrl, accessToken: 'bogus', version: '62.0' });
  await expectError(() => bad.query('SELECT Id FROM Account LIMIT 1'), 'INVALID_SESSION_ID');
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
