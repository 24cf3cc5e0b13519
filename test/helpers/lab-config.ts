// The lab's config (wire shape): two subnets, one on the lab0 link with a reservation and one behind a relay.

export const LAB_CONFIG = {
  serverId: '198.51.100.1',
  interfaces: ['lab0'],
  store: { kind: 'memory', path: 'unused' },
  logging: { level: 'silent' },
  offerHoldSeconds: 60,
  expiryGraceSeconds: 300,
  declineProbationSeconds: 3600,
  maxDeclinesPerClient: 2,
  // In process there is no network to probe (tests of the check enable it with a scripted prober).
  conflictCheck: { enabled: false },
  subnets: [
    {
      id: 1, subnet: '198.51.100.0/24', interface: 'lab0',
      pools: [{ start: '198.51.100.100', end: '198.51.100.109' }],
      router: ['198.51.100.1'], dnsServers: ['198.51.100.1'], domainName: 'lab.example', leaseTime: 3600,
      reservations: [{ hwAddress: '02:00:5e:10:00:10', address: '198.51.100.10' }],
    },
    {
      id: 2, subnet: '203.0.113.0/24', pools: [{ start: '203.0.113.100', end: '203.0.113.199' }],
      router: ['203.0.113.1'], leaseTime: 600,
    },
  ],
};
