/*
 * The map and the "Use my location" button, on top of pages that work without them.
 *
 * Each map is a <div data-map> whose data- attributes give the tile address, its
 * attribution, a centre and a zoom, and the id of the list (data-list) whose
 * <li data-feature> items it draws as markers, so it works the same from the live
 * app and from the static export's files, even opened from disk. Text from the data only ever
 * reaches the page through textContent and DOM nodes, never as markup.
 */
(function () {
  "use strict";

  function escapeText(text) {
    // Leaflet writes attributions as markup, so the (plain text) attribution is escaped first.
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function popupContent(item) {
    var box = document.createElement("div");
    var title = document.createElement("p");
    title.className = "popup-title";
    var href = item.getAttribute("data-href") || "";
    // Only a path on this site: one slash then a path (the live app), or a relative path with no scheme (the export).
    var local = /^(\/(?!\/)|[A-Za-z0-9_.~%-][^:]*$)/.test(href);
    var link = document.createElement(local ? "a" : "span");
    if (local) {
      link.setAttribute("href", href);
    }
    link.textContent = item.getAttribute("data-name") || "";
    title.appendChild(link);
    box.appendChild(title);
    var summary = item.getAttribute("data-summary");
    if (summary) {
      var line = document.createElement("p");
      line.textContent = summary;
      box.appendChild(line);
    }
    return box;
  }

  function number(value) {
    var parsed = parseFloat(value);
    return isFinite(parsed) ? parsed : null;
  }

  function drawMap(element) {
    var fallback = element.querySelector(".map-fallback");
    if (fallback) {
      element.removeChild(fallback);
    }
    var centre = [number(element.getAttribute("data-lat")), number(element.getAttribute("data-lon"))];
    var map = L.map(element, { scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    L.tileLayer(element.getAttribute("data-tile-url"), {
      attribution: escapeText(element.getAttribute("data-tile-attribution") || ""),
      maxZoom: 19
    }).addTo(map);
    var points = [];
    var list = document.getElementById(element.getAttribute("data-list") || "");
    var items = list ? list.querySelectorAll("[data-feature]") : [];
    for (var index = 0; index < items.length; index += 1) {
      var item = items[index];
      var lat = number(item.getAttribute("data-lat"));
      var lon = number(item.getAttribute("data-lon"));
      if (lat === null || lon === null) {
        continue;
      }
      var name = item.getAttribute("data-name") || "";
      L.marker([lat, lon], { title: name, alt: name, keyboard: true })
        .bindPopup(popupContent(item))
        .addTo(map);
      points.push([lat, lon]);
    }
    var zoom = number(element.getAttribute("data-zoom")) || 12;
    if (points.length > 1) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 17 });
    } else if (points.length === 1) {
      map.setView(points[0], Math.max(zoom, 15));
    } else {
      map.setView(centre, zoom);
    }
  }

  function nearMe(button) {
    var form = button.form;
    var input = form ? form.querySelector("input[name=near]") : null;
    var status = form ? form.querySelector("[data-near-status]") : null;
    if (!input || !navigator.geolocation) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) {
        status.textContent = "Finding your location...";
      }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          input.value = position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5);
          if (status) {
            status.textContent = "Found your location; searching near it.";
          }
          form.submit();
        },
        function (error) {
          if (status) {
            status.textContent =
              error.code === error.PERMISSION_DENIED
                ? "The browser did not share your location. Type a point instead."
                : "Your location could not be found. Type a point instead.";
          }
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function start() {
    var buttons = document.querySelectorAll("[data-near-me]");
    for (var index = 0; index < buttons.length; index += 1) {
      nearMe(buttons[index]);
    }
    if (!window.L) {
      return;
    }
    var maps = document.querySelectorAll("[data-map]");
    for (var each = 0; each < maps.length; each += 1) {
      drawMap(maps[each]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
