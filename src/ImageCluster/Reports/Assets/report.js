// Contact sheets are filled only when they scroll into view and the thumbnails are split out of one text block on
// first use: a 20 000-image report must not create 20 000 <img> elements or parse megabytes of JSON before it paints.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var thumbs = null;
  var BLANK = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" fill="#ccc"/></svg>');
  function thumb(i) {
    if (thumbs === null) thumbs = document.getElementById('thumbs').textContent.split('\n');
    var t = thumbs[i];
    return t ? 'data:image/jpeg;base64,' + t : BLANK;
  }
  function caption(i) {
    var s = data.paths[i] + ' - cluster ' + data.cluster[i];
    if (data.label[i] >= 0) s += ', label ' + data.labelNames[data.label[i]];
    return s;
  }
  function makeImg(i) {
    var img = document.createElement('img');
    img.src = thumb(i);
    img.alt = img.title = caption(i);
    return img;
  }
  function fill(el, upTo) {
    var m = el._members, frag = document.createDocumentFragment();
    for (var k = el._shown; k < upTo && k < m.length; k++) frag.appendChild(makeImg(m[k]));
    el.appendChild(frag);
    el._shown = Math.min(upTo, m.length);
    var button = document.querySelector('button[data-for="' + el.id + '"]');
    if (button && el._shown >= m.length) button.hidden = true;
  }
  var sheets = document.querySelectorAll('.sheet, .strip');
  var observer = 'IntersectionObserver' in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (!e.isIntersecting) return;
      observer.unobserve(e.target);
      fill(e.target, +e.target.dataset.limit);
    });
  }, { rootMargin: '200px' }) : null;
  sheets.forEach(function (el) {
    el._members = el.dataset.members ? el.dataset.members.split(',').map(Number) : [];
    el._shown = 0;
    if (observer) observer.observe(el); else fill(el, +el.dataset.limit);
  });
  document.querySelectorAll('button.all').forEach(function (b) {
    b.addEventListener('click', function () {
      var el = document.getElementById(b.dataset.for);
      // In chunks so a cluster of thousands does not freeze the page.
      (function step() {
        fill(el, el._shown + 400);
        if (el._shown < el._members.length) requestAnimationFrame(step);
      })();
    });
  });

  // Maps: points on a canvas; hover finds the nearest point on screen and shows its thumbnail.
  var colourBy = document.getElementById('colour-by');
  var tip = document.getElementById('map-tip');
  var tipImg = null, tipText = null;
  var maps = [];
  document.querySelectorAll('canvas.map-canvas').forEach(function (canvas) {
    var m = data.maps[+canvas.dataset.map];
    var map = { canvas: canvas, m: m, px: new Float32Array(m.idx.length), py: new Float32Array(m.idx.length) };
    maps.push(map);
    draw(map);
    canvas.addEventListener('mousemove', function (ev) { hover(map, ev); });
    canvas.addEventListener('mouseleave', function () { tip.hidden = true; });
  });
  function colourOf(i) {
    var byLabel = colourBy && colourBy.value === 'label';
    var g = byLabel ? data.label[i] : data.cluster[i];
    return g < 0 ? data.noise : data.palette[g % data.palette.length];
  }
  function draw(map) {
    var c = map.canvas, m = map.m, dpr = window.devicePixelRatio || 1;
    var w = c.clientWidth, h = c.clientHeight;
    c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
    var ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, k;
    for (k = 0; k < m.x.length; k++) {
      if (m.x[k] < minX) minX = m.x[k]; if (m.x[k] > maxX) maxX = m.x[k];
      if (m.y[k] < minY) minY = m.y[k]; if (m.y[k] > maxY) maxY = m.y[k];
    }
    var pad = 12, sx = (w - 2 * pad) / ((maxX - minX) || 1), sy = (h - 2 * pad) / ((maxY - minY) || 1);
    var r = m.idx.length > 5000 ? 1.5 : 3;
    for (k = 0; k < m.idx.length; k++) {
      var x = pad + (m.x[k] - minX) * sx, y = h - pad - (m.y[k] - minY) * sy;
      map.px[k] = x; map.py[k] = y;
      ctx.fillStyle = colourOf(m.idx[k]);
      ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
    }
  }
  function hover(map, ev) {
    var rect = map.canvas.getBoundingClientRect(), mx = ev.clientX - rect.left, my = ev.clientY - rect.top;
    var best = -1, bestD = 64;
    for (var k = 0; k < map.px.length; k++) {
      var dx = map.px[k] - mx, dy = map.py[k] - my, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = k; }
    }
    if (best < 0) { tip.hidden = true; return; }
    var i = map.m.idx[best];
    if (!tipImg) {
      tipImg = document.createElement('img'); tipText = document.createElement('div');
      tip.appendChild(tipImg); tip.appendChild(tipText);
    }
    tipImg.src = thumb(i);
    tipImg.alt = caption(i);
    tipText.textContent = caption(i);
    tip.dataset.image = String(i);
    tip.style.left = (ev.clientX + 14) + 'px';
    tip.style.top = (ev.clientY + 14) + 'px';
    tip.hidden = false;
  }
  if (colourBy) colourBy.addEventListener('change', function () { maps.forEach(draw); });
  window.addEventListener('resize', function () { maps.forEach(draw); });
  // For tests and scripts: where point k of map n sits on the page.
  window.imageclusterReport = {
    pointOnPage: function (n, k) {
      var map = maps[n], rect = map.canvas.getBoundingClientRect();
      return { x: rect.left + map.px[k], y: rect.top + map.py[k] };
    },
    ready: true,
  };
})();
