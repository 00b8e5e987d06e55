// Draws the units on a map: every <div class="unit-map"> with a JSON data island
// (<script type="application/json" class="map-data">, a GeoJSON FeatureCollection
// of points with properties id, title, status, status_label, url) as its child or
// sibling. The map is an enhancement: without Leaflet, data or points the div
// stays hidden and the list the page renders remains the way to the units.
(function () {
  "use strict";
  // Okabe–Ito colours (distinguishable with the common colour-vision deficiencies);
  // the status is also written in the tooltip, popup and legend, and units that
  // are not available are drawn hollow, so colour is never the only cue.
  var COLOURS = {
    vacant: "#d55e00",
    negotiating: "#e69f00",
    interim: "#8e44ad",
    let: "#009e73",
    occupied: "#7f7f7f"
  };
  var AVAILABLE = { vacant: true, negotiating: true };
  var SINGLE_POINT_ZOOM = 17;

  function findData(box) {
    var island = box.querySelector("script.map-data");
    for (var next = box.nextElementSibling; !island && next; next = next.nextElementSibling) {
      if (next.matches("script.map-data")) { island = next; }
      if (next.matches(".unit-map")) { break; }
    }
    return island;
  }

  function readFeatures(island) {
    var data;
    try { data = JSON.parse(island.textContent); } catch (error) { return []; }
    if (typeof data === "string") {
      try { data = JSON.parse(data); } catch (error) { return []; }
    }
    var features = Array.isArray(data) ? data : (data && data.features) || [];
    return features.filter(function (feature) {
      var geometry = feature && feature.geometry;
      return geometry && geometry.type === "Point" && Array.isArray(geometry.coordinates) &&
        isFinite(geometry.coordinates[0]) && isFinite(geometry.coordinates[1]);
    });
  }

  function safeUrl(url) {
    if (!url) { return null; }
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) { return null; }
  }

  function statusText(props) {
    return String(props.status_label || props.status || "");
  }

  function popupContent(props) {
    var box = document.createElement("div");
    var heading = document.createElement("strong");
    var href = safeUrl(props.url);
    var title = document.createElement(href ? "a" : "span");
    title.textContent = String(props.title || "");
    if (href) { title.href = href; }
    heading.appendChild(title);
    var status = document.createElement("div");
    status.textContent = statusText(props);
    box.appendChild(heading);
    box.appendChild(status);
    return box;
  }

  function tooltipContent(props) {
    var text = document.createElement("span");
    var status = statusText(props);
    text.textContent = String(props.title || "") + (status ? " – " + status : "");
    return text;
  }

  function markerFor(feature) {
    var props = feature.properties || {};
    var colour = COLOURS[props.status] || COLOURS.occupied;
    var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    return L.circleMarker(latlng, {
      radius: 8,
      color: colour,
      weight: 3,
      fillColor: colour,
      fillOpacity: AVAILABLE[props.status] ? 0.85 : 0.15
    }).bindTooltip(tooltipContent(props)).bindPopup(popupContent(props));
  }

  function legend(features) {
    var seen = {};
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var list = L.DomUtil.create("ul", "unit-map-legend");
      features.forEach(function (feature) {
        var props = feature.properties || {};
        if (seen[props.status]) { return; }
        seen[props.status] = true;
        var item = L.DomUtil.create("li", "", list);
        var swatch = L.DomUtil.create("span", "unit-map-swatch", item);
        var colour = COLOURS[props.status] || COLOURS.occupied;
        swatch.style.borderColor = colour;
        swatch.style.backgroundColor = AVAILABLE[props.status] ? colour : "transparent";
        item.appendChild(document.createTextNode(statusText(props)));
      });
      return list;
    };
    return control;
  }

  function addTiles(map, box) {
    var tiles = box.getAttribute("data-tiles");
    if (!tiles) { return; }
    L.tileLayer(tiles, {
      maxZoom: 19,
      attribution: box.getAttribute("data-attribution") || ""
    }).addTo(map);
  }

  function fit(map, markers) {
    if (markers.length === 1) {
      map.setView(markers[0].getLatLng(), SINGLE_POINT_ZOOM);
      return;
    }
    var bounds = L.latLngBounds(markers.map(function (marker) { return marker.getLatLng(); }));
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: SINGLE_POINT_ZOOM });
  }

  function enhance(box) {
    if (box.hasAttribute("data-map-ready")) { return; }
    var island = findData(box);
    var features = island ? readFeatures(island) : [];
    if (!features.length) { return; }
    box.setAttribute("data-map-ready", "");
    box.removeAttribute("hidden");  // before L.map, so Leaflet measures the real size
    box.setAttribute("role", "region");
    if (box.getAttribute("data-label")) { box.setAttribute("aria-label", box.getAttribute("data-label")); }
    var map = L.map(box, { scrollWheelZoom: false });
    addTiles(map, box);
    var markers = features.map(function (feature) { return markerFor(feature).addTo(map); });
    fit(map, markers);
    legend(features).addTo(map);
  }

  function start() {
    if (typeof window.L === "undefined" || !window.L.map) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".unit-map"), function (box) {
      try { enhance(box); } catch (error) { box.setAttribute("hidden", ""); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
