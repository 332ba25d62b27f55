// The /anomalies page: self-contained (no CDN), reads the JSON API with relative URLs, refreshes itself.
// All data goes into the DOM through textContent, never innerHTML (series names and messages come from logs).
// Same theme, header and UTC/duration style as the dashboard (service/page-theme.ts). While no baseline exists
// it says why (warming up, late or untimed events) instead of showing an empty table.
import { PAGE_FORMAT_JS, PAGE_THEME_CSS, pageHeader } from '../service/page-theme.ts';

export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>crumbtrail · anomalies</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${PAGE_THEME_CSS}
main{padding:16px 20px;display:grid;gap:16px}
.bar{display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}
td.num{text-align:right} .heat td{font-size:.72rem;min-width:2.4rem;text-align:right} .fb{color:var(--muted);font-style:italic}
pre{white-space:pre-wrap;background:var(--panel);border:1px solid var(--line);padding:.6rem;max-width:60rem}
#warmup ul{margin:.3rem 0 0;padding-left:1.2rem}
</style></head><body>
${pageHeader('anomalies', './')}
<main>
<section id="warmup" hidden><h2>Warming up</h2><div id="warmupWhy"></div><ul id="warmupList"></ul></section>
<section>
<h2>Anomalies</h2>
<div class="bar">
 <label>Severity <select id="sev"><option value="">all</option><option value="1">SEV1</option><option value="2">≤ SEV2</option>
 <option value="3">≤ SEV3</option><option value="4">≤ SEV4</option><option value="5">≤ SEV5</option></select></label>
 <label>Series <select id="seriesFilter"><option value="">all</option></select></label>
 <button id="recalc">Recalculate now</button><span id="recalcOut"></span>
</div>
<table id="anoms"><thead><tr><th>time (UTC)</th><th>SEV</th><th>series</th><th>value</th><th>mean</th><th>σ</th><th>z</th>
<th>crossed</th><th>baseline</th><th>breadcrumbs</th><th></th></tr></thead><tbody></tbody></table>
<pre id="analysis" hidden></pre>
</section>
<section>
<h2>Baseline <select id="seriesBase"></select></h2>
<div id="baseInfo" class="hint"></div>
<table class="heat" id="base"><thead></thead><tbody></tbody></table>
</section>
</main>
<script>
${PAGE_FORMAT_JS}
const DAYS=['Sun','Mon','Tue','Wed','Thu','Fri','Sat'];
const $=(id)=>document.getElementById(id);
const el=(tag,text,cls)=>{const e=document.createElement(tag);if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e;};
const fmt=(v)=>v===null||v===undefined||Number.isNaN(v)?'–':Number(Number(v).toPrecision(4)).toString();
let aiOn=false;
async function getJson(u,opt){const r=await fetch(u,opt);const b=await r.json();if(!r.ok)throw new Error(b.error||r.status);return b;}
async function loadAnomalies(){
  const p=new URLSearchParams();if($('sev').value)p.set('sev',$('sev').value);if($('seriesFilter').value)p.set('series',$('seriesFilter').value);
  p.set('limit','300');
  const b=await getJson('api/monitor/anomalies?'+p);
  const tb=$('anoms').tBodies[0];tb.replaceChildren();
  for(const a of b.anomalies){
    const tr=el('tr');tr.dataset.sev=String(a.sev);
    tr.append(el('td',utcTime(Date.parse(a.timestamp))));
    const s=el('td');s.append(el('span','SEV'+a.sev,'sev sev'+a.sev));tr.append(s);
    tr.append(el('td',a.series));
    for(const v of [a.value,a.mean,a.sd,a.z])tr.append(el('td',fmt(v),'num'));
    tr.append(el('td','p'+a.percentile+' (|z|≥'+fmt(a.threshold)+')'));
    tr.append(el('td',DAYS[a.bucket.dayOfWeek]+' '+a.bucket.hour+':00'+(a.fellBack?' → '+a.scope:''),a.fellBack?'fb':''));
    tr.append(el('td',String(a.breadcrumbs.length)+(a.traceIds.length?' / '+a.traceIds.length+' traces':''),'num'));
    const act=el('td');
    if(aiOn){const btn=el('button','analyze');btn.onclick=()=>analyze(a.id);act.append(btn);}
    tr.append(act);tb.append(tr);
  }
}
async function analyze(id){
  const out=$('analysis');out.hidden=false;out.textContent='asking the model about '+id+' …';
  try{const r=await getJson('api/monitor/analyze',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({anomalyId:id})});
    out.textContent=r.analysis;}catch(e){out.textContent='analysis failed: '+e.message;}
}
async function loadSeries(){
  const b=await getJson('api/monitor/baselines');
  for(const id of ['seriesFilter','seriesBase']){
    const sel=$(id);const keep=sel.value;const first=id==='seriesFilter'?[['','all']]:[];
    sel.replaceChildren();for(const [v,t] of [...first,...b.series.map((s)=>[s,s])]){const o=el('option',t);o.value=v;sel.append(o);}
    if([...sel.options].some((o)=>o.value===keep))sel.value=keep;
  }
}
async function loadBaseline(){
  const s=$('seriesBase').value;const thead=$('base').tHead,tb=$('base').tBodies[0];
  thead.replaceChildren();tb.replaceChildren();if(!s)return;
  const b=await getJson('api/monitor/baselines?series='+encodeURIComponent(s));
  $('baseInfo').textContent='mean per minute for each weekday × hour ('+b.timeZone+'); hover for σ, n and SEV thresholds; grey = fewer than '+b.minSamples+' samples (falls back to the hour, then global).';
  const h=el('tr');h.append(el('th',''));for(let i=0;i<24;i++)h.append(el('th',String(i)));thead.append(h);
  for(let d=0;d<7;d++){const tr=el('tr');tr.append(el('th',DAYS[d]));
    for(let hr=0;hr<24;hr++){const c=b.bucket[d*24+hr];const td=el('td',c?fmt(c.mean):'–');
      if(c){td.title='n='+c.n+' σ='+fmt(c.sd)+' p95='+fmt(c.p95)+' SEV5…SEV1 |z| ≥ '+c.sevThresholds.map(fmt).join(' / ');
        if(c.n<b.minSamples)td.className='fb';}
      tr.append(td);}
    tb.append(tr);}
}
// Why the table may be empty: no baseline yet (and what it needs), or events that could not be counted.
async function showWarmup(st){
  const why=[];
  let minSamples=null;
  const names=(await getJson('api/monitor/baselines')).series;
  if(names.length){try{minSamples=(await getJson('api/monitor/baselines?series='+encodeURIComponent(names[0]))).minSamples;}catch{}}
  const need='a weekday × hour bucket is judged on its own after '+(minSamples??'minSamples (120 by default, CRUMBTRAIL_ANOMALY_MIN_SAMPLES)')+' per-minute samples; until then it falls back to the hour, then to all samples';
  if(st.modelSeries===0){
    if(st.events===0)why.push('no event has reached the anomaly monitor yet');
    else why.push(st.series+' series are being collected, but no baseline has been computed yet: baselines are recalculated on schedule, or now with “Recalculate now”');
    why.push(need);
  }
  if(st.lateEvents>0)why.push(st.lateEvents+' events arrived late (their minute was already closed, e.g. a replay of old lines after newer ones) and were not counted');
  if(st.untimedEvents>0)why.push(st.untimedEvents+' events have no timestamp and cannot be placed in a minute');
  $('warmup').hidden=why.length===0;
  $('warmupWhy').textContent=st.modelSeries===0?'No anomalies can be found yet:':'Some events were not counted:';
  $('warmupList').replaceChildren(...why.map((w)=>el('li',w)));
}
async function refresh(){
  try{const st=await getJson('api/monitor/status');aiOn=st.ai===true;
    $('status').textContent='series '+st.modelSeries+' · stored anomalies '+st.anomaliesStored+' · data time '+(st.dataNow?utcTime(Date.parse(st.dataNow)):'–')+' · updated '+utcTime(Date.now());
    await showWarmup(st);await loadSeries();await loadAnomalies();await loadBaseline();}
  catch(e){$('status').textContent='refresh failed: '+e.message;}
}
$('sev').onchange=loadAnomalies;$('seriesFilter').onchange=loadAnomalies;$('seriesBase').onchange=loadBaseline;
$('recalc').onclick=async()=>{try{const r=await getJson('api/monitor/recalculate',{method:'POST'});
  $('recalcOut').textContent=r.series+' series, '+r.cells+' cells in '+r.durationMs+' ms';await refresh();}catch(e){$('recalcOut').textContent=e.message;}};
refresh();setInterval(refresh,15000);
</script></body></html>`;
}
