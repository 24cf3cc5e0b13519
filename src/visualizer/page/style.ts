// The /ui page's style sheet.
export const PAGE_STYLE = `
:root { --ink:#1d2433; --muted:#5b6680; --line:#d6dbe7; --accent:#2458c6; --hot:#d9480f; --bg:#f7f8fb; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, sans-serif; color:var(--ink); background:var(--bg); }
header { position:sticky; top:0; z-index:2; display:flex; gap:1rem; align-items:center; padding:.6rem 1rem; background:#fff; border-bottom:1px solid var(--line); }
h1 { font-size:1.1rem; margin:0; }
h2 { font-size:1rem; margin:0 0 .5rem; } h2 small { color:var(--muted); font-weight:normal; }
h3 { font-size:.9rem; margin:.2rem 0 .4rem; }
#server-state { padding:.1rem .5rem; border-radius:1rem; background:#e7ecf8; }
#live.on { color:#2b8a3e; } #live.off { color:var(--hot); }
#search { margin-left:auto; display:flex; gap:.4rem; }
#q { width:22rem; padding:.35rem .5rem; border:1px solid var(--line); border-radius:.3rem; }
button { padding:.35rem .8rem; border:0; border-radius:.3rem; background:var(--accent); color:#fff; cursor:pointer; }
main { padding:1rem; display:grid; gap:1rem; }
.panel { background:#fff; border:1px solid var(--line); border-radius:.5rem; padding:.8rem 1rem; overflow:auto; }
.two { display:grid; grid-template-columns: 2fr 1fr; gap:1rem; }
.chart svg { max-width:100%; height:auto; }
.chart .state.current > rect:first-of-type { fill:#ffe8cc; stroke:var(--hot); stroke-width:3; }
.chart .state.flash > rect:first-of-type { fill:#d3f9d8; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.2rem .5rem; border-bottom:1px solid var(--line); white-space:nowrap; }
td.msg { white-space:normal; }
th { color:var(--muted); font-weight:600; }
.bar { display:inline-block; width:6rem; height:.6rem; background:#e9ecef; border-radius:.3rem; vertical-align:middle; margin-right:.4rem; }
.bar > span { display:block; height:100%; background:var(--accent); border-radius:.3rem; }
.lease-grid { display:grid; grid-template-columns: 1fr 3fr; gap:1rem; }
#lease-choices button { margin:0 .4rem .4rem 0; background:#e7ecf8; color:var(--ink); }
#supervisor { list-style:none; padding-left:0; margin:0; } #supervisor ul { list-style:none; padding-left:1.2rem; }
.status-ok, .status-running { color:#2b8a3e; } .status-degraded, .status-restarting, .status-starting { color:#e67700; } .status-failed { color:var(--hot); }
.due { color:var(--hot); }
`;
