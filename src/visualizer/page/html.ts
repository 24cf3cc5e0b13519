// The /ui page's markup: the frame the script fills (statecharts, search, pools, supervisor, security, feed).
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>actor-dhcpd — live statecharts</title>
<link rel="stylesheet" href="/ui/app.css">
</head>
<body>
<header>
  <h1>actor-dhcpd</h1>
  <span id="server-state" data-testid="server-state">…</span>
  <span id="live" data-testid="live" class="off">connecting</span>
  <form id="search" role="search">
    <input id="q" name="q" data-testid="search-input" placeholder="MAC, client id, IP or host name" autocomplete="off" maxlength="256">
    <button type="submit" data-testid="search-button">Find lease</button>
  </form>
</header>
<main>
  <section id="lease-view" class="panel" hidden data-testid="lease-view">
    <h2>Lease <span id="lease-title"></span></h2>
    <div id="lease-choices"></div>
    <div class="lease-grid">
      <div><h3>Timers</h3><table id="timers" data-testid="timers"><tbody></tbody></table></div>
      <div><h3>History</h3>
        <table id="history" data-testid="history"><thead><tr><th>time</th><th>event</th><th>from → to</th><th>xid</th><th>message</th></tr></thead><tbody></tbody></table>
      </div>
    </div>
    <p id="search-empty" hidden>No lease matches.</p>
  </section>
  <section class="panel"><h2>Lease machine <small>leases per state</small></h2><div class="chart" id="chart-lease" data-testid="chart-lease"></div></section>
  <section class="panel"><h2>Transaction machine <small>client exchanges in flight</small></h2><div class="chart" id="chart-transaction" data-testid="chart-transaction"></div></section>
  <section class="panel"><h2>Server machine <small>the root supervisor</small></h2><div class="chart" id="chart-server" data-testid="chart-server"></div></section>
  <div class="two">
    <section class="panel"><h2>Pools</h2><table id="pools" data-testid="pools"><thead><tr><th>subnet</th><th>used</th><th>bound</th><th>offered</th><th>declined</th><th>grace</th><th>free</th><th>total</th></tr></thead><tbody></tbody></table></section>
    <section class="panel"><h2>Supervisor tree</h2><ul id="supervisor" data-testid="supervisor"></ul></section>
  </div>
  <section class="panel" id="security-panel" hidden><h2>Recent security events</h2><table id="security"><thead><tr><th>time</th><th>stage</th><th>reason</th><th>client</th><th>iface</th><th>giaddr</th></tr></thead><tbody></tbody></table></section>
  <section class="panel"><h2>Transitions <small>live</small></h2><table id="feed" data-testid="feed"><thead><tr><th>time</th><th>address</th><th>client</th><th>event</th><th>from → to</th><th>xid</th></tr></thead><tbody></tbody></table></section>
</main>
<script src="/ui/app.js"></script>
</body>
</html>
`;
