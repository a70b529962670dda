/*
 * The map and the "Use my location" button, on top of pages that work without them.
 *
 * Each map is a <div data-map> whose data- attributes give the tile address, its
 * attribution, a centre and a zoom, and the id of the list (data-list) whose
 * <li data-feature> items it draws as numbered markers, so it works the same from the live
 * app and from the static export's files, even opened from disk. In the live app,
 * data-items names the API's items for the whole search: the map adds those places,
 * clustered by Leaflet.markercluster, around the list's page. Text from the data only ever
 * reaches the page through textContent and DOM nodes, never as markup.
 * The words it writes come in the page's language from the body's data-words (base.html),
 * with {count} where a number goes; English is the fallback.
 */
(function () {
  "use strict";

  var WORDS = (function () {
    try {
      var found = JSON.parse(document.body.getAttribute("data-words") || "{}");
      return found && typeof found === "object" ? found : {};
    } catch (error) {
      return {};
    }
  })();

  function word(key, fallback, count) {
    var text = typeof WORDS[key] === "string" ? WORDS[key] : fallback;
    return count === undefined ? text : text.replace("{count}", count);
  }

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

  // The map's markers for the whole search come from the API a page at a time, up to this many pages.
  var MOST_MAP_PAGES = 10;

  function numberedIcon(number, name) {
    var icon = L.divIcon({
      className: "marker-number",
      html: String(number),
      iconSize: [30, 30],
      iconAnchor: [15, 15],
      popupAnchor: [0, -15]
    });
    var create = icon.createIcon;
    icon.createIcon = function (old) {
      var element = create.call(icon, old);
      element.setAttribute("aria-label", number + ": " + name);
      return element;
    };
    return icon;
  }

  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var icon = new L.DivIcon({
      html: "<div><span>" + count + "</span></div>",
      className: "marker-cluster marker-cluster-" + size,
      iconSize: new L.Point(40, 40)
    });
    var create = icon.createIcon;
    icon.createIcon = function (old) {
      var element = create.call(icon, old);
      element.setAttribute("aria-label", count + " places here: zoom in to see them");
      return element;
    };
    return icon;
  }

  function featureName(feature, fields) {
    var properties = feature.properties || {};
    for (var index = 0; index < fields.length; index += 1) {
      var value = properties[fields[index]];
      if (value !== null && value !== undefined && value !== "") {
        return String(value);
      }
    }
    return String(feature.id);
  }

  function featurePopup(feature, name, base) {
    var box = document.createElement("div");
    var title = document.createElement("p");
    title.className = "popup-title";
    var link = document.createElement("a");
    link.setAttribute("href", base + encodeURIComponent(String(feature.id)));
    link.textContent = name;
    title.appendChild(link);
    box.appendChild(title);
    return box;
  }

  function popupFor(feature, name, base) {
    // Built when the popup first opens, not for each of thousands of markers as they load.
    return function () {
      return featurePopup(feature, name, base);
    };
  }

  function sameSitePath(href) {
    // Only an address on this site, from its top: never another host or scheme, whatever the page was given.
    return /^\/(?!\/)/.test(href || "");
  }

  function clusterLayer() {
    // The search's other places, each drawn where it has room and the rest as groups that say how many places
    // they hold; the list's numbered markers stay outside, always drawn. Added in chunks of at most 30 ms, so that thousands of markers never hold the page still for long.
    var clusters = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      showCoverageOnHover: false,
      chunkedLoading: true,
      chunkInterval: 30,
      chunkDelay: 20
    });
    return clusters; // added to the map once the map has its view
  }

  function loadArea(element, clusters, listed, status) {
    // Every place the search matches, clustered: the numbered markers of the list's page stay on top of them.
    var address = element.getAttribute("data-items");
    var fields = (element.getAttribute("data-name-fields") || "").split(" ").filter(Boolean);
    var base = element.getAttribute("data-feature-base") || "";
    if (!sameSitePath(address) || !sameSitePath(base) || !window.fetch) {
      return;
    }
    var shown = 0;
    function page(url, count) {
      fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (body) {
          var markers = [];
          var features = (body && body.features) || [];
          for (var index = 0; index < features.length; index += 1) {
            var feature = features[index];
            var point = feature.geometry && feature.geometry.type === "Point" ? feature.geometry.coordinates : null;
            if (!point || listed[String(feature.id)] || !isFinite(point[0]) || !isFinite(point[1])) {
              continue;
            }
            var name = featureName(feature, fields);
            markers.push(
              L.marker([point[1], point[0]], { title: name, alt: name, keyboard: true }).bindPopup(
                popupFor(feature, name, base)
              )
            );
          }
          clusters.addLayers(markers);
          shown += markers.length;
          var next = null;
          var links = (body && body.links) || [];
          for (var each = 0; each < links.length; each += 1) {
            if (links[each].rel === "next" && typeof links[each].href === "string") {
              next = links[each].href;
            }
          }
          var nextPath = next ? next.replace(/^https?:\/\/[^\/]+/, "") : null;
          if (nextPath && sameSitePath(nextPath) && count + 1 < MOST_MAP_PAGES) {
            page(nextPath, count + 1);
          } else {
            var added = shown.toLocaleString("en-GB"); // not "count": a var would hide page()'s own count
            status.textContent = nextPath
              ? word("mapFirst", "The map also shows the first {count} other places found; search to narrow it.", added)
              : word("mapOthers", "The map also shows the other {count} places found, grouped when zoomed out.", added);
          }
        })
        .catch(function () {
          status.textContent = word("mapFailed", "The map shows only this page's places: the rest could not be loaded.");
        });
    }
    page(address, 0);
  }

  function whenSeen(element, then) {
    // The rest of the search's places are read only once the map is on the screen: on a phone the results
    // come first, and someone who never scrolls to the map never downloads thousands of markers.
    if (!window.IntersectionObserver) {
      then();
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      for (var index = 0; index < entries.length; index += 1) {
        if (entries[index].isIntersecting) {
          observer.disconnect();
          then();
          return;
        }
      }
    });
    observer.observe(element);
  }

  function keepFocus(map) {
    // Opening a popup moves focus into it; Escape (or the close button) closes it and gives focus back to its marker.
    map.on("popupopen", function (event) {
      var popup = event.popup;
      var element = popup.getElement();
      var source = popup._source;
      if (!element) {
        return;
      }
      element.addEventListener("keydown", function (key) {
        if (key.key === "Escape" || key.key === "Esc") {
          key.preventDefault();
          map.closePopup(popup);
        }
      });
      popup.once("remove", function () {
        var marker = source && source.getElement ? source.getElement() : null;
        if (marker && (element.contains(document.activeElement) || document.activeElement === document.body)) {
          marker.focus();
        }
      });
      var link = element.querySelector("a[href]");
      if (link) {
        link.focus();
      }
    });
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
    keepFocus(map);
    var clusters = element.hasAttribute("data-items") && L.markerClusterGroup ? clusterLayer() : null;
    var points = [];
    var listed = {};
    var list = document.getElementById(element.getAttribute("data-list") || "");
    var items = list ? list.querySelectorAll("[data-feature]") : [];
    for (var index = 0; index < items.length; index += 1) {
      var item = items[index];
      var lat = number(item.getAttribute("data-lat"));
      var lon = number(item.getAttribute("data-lon"));
      listed[item.getAttribute("data-id") || ""] = true;
      if (lat === null || lon === null) {
        continue;
      }
      var name = item.getAttribute("data-name") || "";
      var position = number(item.getAttribute("data-number"));
      var options = { title: name, alt: name, keyboard: true, zIndexOffset: 1000 };
      if (position !== null) {
        options.icon = numberedIcon(position, name);
      }
      L.marker([lat, lon], options).bindPopup(popupContent(item)).addTo(map); // above the groups, always drawn
      points.push([lat, lon]);
    }
    var hereLat = number(element.getAttribute("data-here-lat"));
    var hereLon = number(element.getAttribute("data-here-lon"));
    if (hereLat !== null && hereLon !== null) {
      L.circleMarker([hereLat, hereLon], { radius: 9, color: "#ffffff", weight: 3, fillColor: "#1d70b8", fillOpacity: 1 })
        .bindTooltip(word("here", "You are here"), { permanent: true, direction: "top", offset: [0, -10] })
        .addTo(map);
      points.push([hereLat, hereLon]);
    }
    var zoom = number(element.getAttribute("data-zoom")) || 12;
    if (points.length > 1) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 17 });
    } else if (points.length === 1) {
      map.setView(points[0], Math.max(zoom, 15));
    } else {
      map.setView(centre, zoom);
    }
    if (clusters) {
      map.addLayer(clusters);
      var status = document.createElement("p");
      status.className = "map-status";
      status.setAttribute("aria-live", "polite");
      element.parentNode.insertBefore(status, element.nextSibling);
      whenSeen(element, function () {
        loadArea(element, clusters, listed, status);
      });
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
        status.textContent = word("finding", "Finding your location...");
      }
      navigator.geolocation.getCurrentPosition(
        function (position) {
          input.value = position.coords.latitude.toFixed(5) + ", " + position.coords.longitude.toFixed(5);
          if (status) {
            status.textContent = word("found", "Found your location; searching near it.");
          }
          form.submit();
        },
        function (error) {
          if (status) {
            status.textContent =
              error.code === error.PERMISSION_DENIED
                ? word("refused", "The browser did not share your location. Type a point instead.")
                : word("lost", "Your location could not be found. Type a point instead.");
          }
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function focusWhatMatters() {
    // A mistake to mend first (the error summary), else, after a search, the results' heading, which the page
    // opened at (#results): a screen reader then reads the heading and its description, the count and order.
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
      return;
    }
    if (window.location.hash === "#results") {
      var heading = document.querySelector("#results h2[tabindex]");
      if (heading) {
        heading.focus();
      }
    }
  }

  function start() {
    // Once the page has loaded: the browser's own move to #results comes first and would undo an earlier focus.
    // Not if the person has already moved focus themselves.
    var settle = function () {
      if (!document.activeElement || document.activeElement === document.body) {
        focusWhatMatters();
      }
    };
    if (document.readyState === "complete") {
      settle();
    } else {
      window.addEventListener("load", settle);
    }
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
