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

  function word(key, fallback, count, numbers) {
    var text = typeof WORDS[key] === "string" ? WORDS[key] : fallback;
    text = count === undefined ? text : text.replace("{count}", count);
    return numbers === undefined ? text : text.replace("{numbers}", numbers);
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

  // Every marker and group is a round target centred on its place, at least 24 CSS px across (WCAG 2.2's 2.5.8).
  // Icons drawn more than MAX_CLUSTER_RADIUS apart (see drawGroupsAtAPlace) never cover each other, even their
  // square boxes corner to corner: the radius is at least the widest icon times the square root of 2 (44 x 1.414).
  var PLACE_SIZE = 26;
  var NUMBER_SIZE = 30;
  var CLUSTER_SIZE = 40;
  var LISTED_CLUSTER_SIZE = 44;
  var MAX_CLUSTER_RADIUS = 64;

  // The first view's margin round the places it fits, and its closest zoom (streets and buildings still in sight).
  var VIEW_PADDING = [24, 24];
  var MOST_ZOOM = 17;

  function aloneAt(map, markers, zoom, centre) {
    // How many of the list's places a view at this zoom and centre (projected) draws on their own: in the frame,
    // and further than MAX_CLUSTER_RADIUS from every other listed place, which markercluster would group it with.
    var half = map.getSize().divideBy(2);
    var projected = [];
    for (var index = 0; index < markers.length; index += 1) {
      projected.push(map.project(markers[index].getLatLng(), zoom));
    }
    var alone = 0;
    for (var one = 0; one < projected.length; one += 1) {
      var offset = projected[one].subtract(centre);
      if (Math.abs(offset.x) > half.x || Math.abs(offset.y) > half.y) {
        continue;
      }
      var crowded = false;
      for (var other = 0; other < projected.length && !crowded; other += 1) {
        crowded = other !== one && projected[one].distanceTo(projected[other]) <= MAX_CLUSTER_RADIUS;
      }
      alone += crowded ? 0 : 1;
    }
    return alone;
  }

  function firstView(map, markers, always) {
    // The box the map first shows round "You are here" and the list's places, nearest first: of the boxes round
    // the nearest one, two, three ... of them, the one that draws the most of them on their own as numbers, the
    // widest of those that draw as many. Fitting all 20 at once zooms out so far, among thousands of places, that
    // markercluster groups all but one or two. The list stays the way to every one.
    var padding = L.point(VIEW_PADDING).multiplyBy(2);
    var best = null;
    var most = -1;
    for (var count = markers.length; count >= 1; count -= 1) {
      var box = L.latLngBounds(always);
      for (var index = 0; index < count; index += 1) {
        box.extend(markers[index].getLatLng());
      }
      var zoom = Math.min(map.getBoundsZoom(box, false, padding), MOST_ZOOM);
      var centre = map.project(box.getSouthWest(), zoom).add(map.project(box.getNorthEast(), zoom)).divideBy(2);
      var alone = aloneAt(map, markers, zoom, centre);
      if (alone > most) {
        best = box;
        most = alone;
      }
    }
    return best;
  }

  function roundIcon(className, html, size) {
    return L.divIcon({
      className: className,
      html: html,
      iconSize: [size, size],
      iconAnchor: [size / 2, size / 2],
      popupAnchor: [0, -size / 2]
    });
  }

  function placeIcon() {
    // One of the search's other places: its name is the marker's title, which Leaflet gives the element.
    return roundIcon("marker-place", "", PLACE_SIZE);
  }

  function numberedIcon(number, name) {
    var icon = roundIcon("marker-number", String(number), NUMBER_SIZE);
    var create = icon.createIcon;
    icon.createIcon = function (old) {
      var element = create.call(icon, old);
      element.setAttribute("aria-label", number + ": " + name);
      return element;
    };
    return icon;
  }

  function listedNumbers(cluster) {
    // The list's numbers among a group's places, smallest first: a group that holds some of them says which.
    var numbers = [];
    var markers = cluster.getAllChildMarkers();
    for (var index = 0; index < markers.length; index += 1) {
      if (markers[index].options.number !== undefined) {
        numbers.push(markers[index].options.number);
      }
    }
    return numbers.sort(function (one, other) {
      return one - other;
    });
  }

  function clusterIcon(cluster) {
    // A button that says how many places it holds and, of them, which numbers of the list: Enter zooms in.
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var numbers = listedNumbers(cluster);
    var listed = numbers.length > 0;
    var icon = roundIcon(
      "marker-cluster marker-cluster-" + size + (listed ? " marker-cluster-listed" : ""),
      "<div><span>" + count + "</span></div>",
      listed ? LISTED_CLUSTER_SIZE : CLUSTER_SIZE
    );
    var create = icon.createIcon;
    icon.createIcon = function (old) {
      var element = create.call(icon, old);
      var many = count.toLocaleString("en-GB");
      if (listed) {
        // Drawn by app.css as a badge on the group: the smallest number, and "+" when it holds more of them.
        element.setAttribute("data-numbers", numbers[0] + (numbers.length > 1 ? "+" : ""));
        element.setAttribute(
          "aria-label",
          word(
            "mapGroupListed",
            "{count} places, with number {numbers} of the list: zoom in to see them",
            many,
            numbers.join(", ")
          )
        );
      } else {
        element.removeAttribute("data-numbers");
        element.setAttribute("aria-label", word("mapGroup", "{count} places: zoom in to see them", many));
      }
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
    // Every place of the search, the list's numbered markers with the others, in one layer: each drawn where it
    // has room and the rest as groups that say how many places they hold (and which of the list's numbers).
    // One layer, because markercluster keeps apart only the markers it places itself: a group drawn by a second
    // layer could lie under a numbered marker, a target nobody could reach. Added in chunks of at most 30 ms, so
    // that thousands of markers never hold the page still for long.
    drawGroupsAtAPlace();
    var clusters = L.markerClusterGroup({
      iconCreateFunction: clusterIcon,
      maxClusterRadius: MAX_CLUSTER_RADIUS,
      showCoverageOnHover: false,
      chunkedLoading: true,
      chunkInterval: 30,
      chunkDelay: 20,
      chunkProgress: function (processed, total) {
        if (processed === total) {
          clusters.fire("chunksdone"); // every marker given so far is placed and drawn
        }
      }
    });
    return clusters; // added to the map once the map has its view
  }

  var groupsAtAPlace = false;

  function drawGroupsAtAPlace() {
    // markercluster gathers a place into a group when it lies within MAX_CLUSTER_RADIUS of the group's first place,
    // and two places that are not grouped are further apart than that; but it draws each group at the mean of its
    // places, which can drift towards a neighbour until one icon covers another. Drawn at its first place instead
    // (as Google's MarkerClusterer does by default), every icon is more than the radius from every other, so none
    // can cover another. The mean still counts for the groups above it. The list's numbered markers are added
    // first, so a group that holds some of them is drawn at the place of the smallest number.
    if (groupsAtAPlace || !L.MarkerCluster) {
      return;
    }
    groupsAtAPlace = true;
    var recalculate = L.MarkerCluster.prototype._recalculateBounds;
    L.MarkerCluster.prototype._recalculateBounds = function () {
      recalculate.call(this);
      if (this._cLatLng) {
        this._latlng = this._cLatLng;
      }
    };
  }

  function focusAfterZoom(map, clusters) {
    // Enter on a group zooms in (or, at the closest zoom, spreads its places out): focus then moves to the first of
    // its places as now drawn, not to the whole map, so the keyboard carries on where the person was.
    clusters.on("clusterkeypress", function (event) {
      var key = event.originalEvent;
      if (!key || key.keyCode !== 13) {
        return;
      }
      var first = event.layer.getAllChildMarkers()[0];
      var settle = function () {
        clusters.off("animationend", settle);
        clusters.off("spiderfied", settle);
        var shown = first && clusters.getVisibleParent(first);
        var element = shown && shown.getElement ? shown.getElement() : null;
        // Only while focus is still on the map: not if the person has gone elsewhere meanwhile.
        if (element && map.getContainer().contains(document.activeElement)) {
          element.focus({ preventScroll: true });
        }
      };
      // Listening before markercluster acts on the key (this runs first), since it may spread them out at once.
      clusters.on("animationend", settle);
      clusters.on("spiderfied", settle);
    });
    clusters.on("spiderfied", function (event) {
      // Escape folds the spread-out places back into their group and gives it focus.
      var group = event.cluster;
      var fold = function (key) {
        // Not the Escape that closes a popup of one of them (keepFocus has dealt with it): that one keeps them out.
        if ((key.key === "Escape" || key.key === "Esc") && !key.defaultPrevented) {
          key.preventDefault();
          group.unspiderfy();
        }
      };
      map.getContainer().addEventListener("keydown", fold);
      clusters.once("unspiderfied", function () {
        map.getContainer().removeEventListener("keydown", fold);
        var element = group.getElement ? group.getElement() : null;
        if (element && map.getContainer().contains(document.activeElement)) {
          element.focus({ preventScroll: true });
        }
      });
    });
  }

  function loadArea(element, clusters, listed, status) {
    // Every other place the search matches, a page of the API at a time, into the layer of the numbered markers.
    var address = element.getAttribute("data-items");
    var fields = (element.getAttribute("data-name-fields") || "").split(" ").filter(Boolean);
    var base = element.getAttribute("data-feature-base") || "";
    if (!sameSitePath(address) || !sameSitePath(base) || !window.fetch) {
      return;
    }
    var shown = 0;
    var placing = 0; // pages given to markercluster whose markers it has not yet all placed
    var said = null; // what the status says once they are all placed
    clusters.on("chunksdone", function () {
      placing -= 1;
      if (placing === 0 && said !== null) {
        status.textContent = said; // once the last places are drawn, not while markercluster is still placing them
      }
    });
    function place(markers) {
      placing += 1;
      clusters.addLayers(markers);
    }
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
              L.marker([point[1], point[0]], { icon: placeIcon(), title: name, alt: name, keyboard: true }).bindPopup(
                popupFor(feature, name, base)
              )
            );
          }
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
            place(markers);
            page(nextPath, count + 1);
          } else {
            var added = shown.toLocaleString("en-GB"); // not "count": a var would hide page()'s own count
            said = nextPath
              ? word("mapFirst", "The map also shows the first {count} other places found; search to narrow it.", added)
              : word("mapOthers", "The map also shows the other {count} places found, grouped when zoomed out.", added);
            place(markers);
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

  function zoomButtons(map, element) {
    // Zoom in and out as buttons above the map, not Leaflet's control over it: a control drawn on the map lies over
    // whatever place is under it, so that place could be neither seen nor pressed (WCAG 2.2's 2.5.8).
    var bar = document.createElement("div");
    bar.className = "map-zoom";
    var buttons = [
      [word("zoomIn", "Zoom in"), 1],
      [word("zoomOut", "Zoom out"), -1]
    ];
    var made = [];
    for (var index = 0; index < buttons.length; index += 1) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button-secondary";
      button.textContent = buttons[index][0];
      button.setAttribute("aria-controls", element.id);
      button.addEventListener("click", (function (step) {
        return function () {
          map.setZoom(map.getZoom() + step);
        };
      })(buttons[index][1]));
      bar.appendChild(button);
      made.push(button);
    }
    var update = function () {
      // At either end the button says it can do nothing more, and stays in the tab order (aria-disabled).
      made[0].setAttribute("aria-disabled", String(map.getZoom() >= map.getMaxZoom()));
      made[1].setAttribute("aria-disabled", String(map.getZoom() <= map.getMinZoom()));
    };
    map.on("zoomend", update);
    element.parentNode.insertBefore(bar, element);
    return update;
  }

  function drawMap(element) {
    var fallback = element.querySelector(".map-fallback");
    if (fallback) {
      element.removeChild(fallback);
    }
    var centre = [number(element.getAttribute("data-lat")), number(element.getAttribute("data-lon"))];
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    var zoomed = zoomButtons(map, element);
    map.attributionControl.setPrefix(false);
    L.tileLayer(element.getAttribute("data-tile-url"), {
      attribution: escapeText(element.getAttribute("data-tile-attribution") || ""),
      maxZoom: 19
    }).addTo(map);
    keepFocus(map);
    var clusters = element.hasAttribute("data-items") && L.markerClusterGroup ? clusterLayer() : null;
    var numbered = [];
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
        options.number = position;
      }
      numbered.push(L.marker([lat, lon], options).bindPopup(popupContent(item)));
      points.push([lat, lon]);
    }
    var hereLat = number(element.getAttribute("data-here-lat"));
    var hereLon = number(element.getAttribute("data-here-lon"));
    var here = [];
    if (hereLat !== null && hereLon !== null) {
      L.circleMarker([hereLat, hereLon], { radius: 9, color: "#ffffff", weight: 3, fillColor: "#1d70b8", fillOpacity: 1 })
        .bindTooltip(word("here", "You are here"), { permanent: true, direction: "top", offset: [0, -10] })
        .addTo(map);
      here.push([hereLat, hereLon]);
      points.push([hereLat, hereLon]);
    }
    var zoom = number(element.getAttribute("data-zoom")) || 12;
    if (clusters && here.length && numbered.length > 1) {
      // Nearest first, grouped with the search's other places: the view round "You are here" that draws the most
      // of the list's own. Without a point the list is in name order, spread over the area: all of it is fitted.
      map.fitBounds(firstView(map, numbered, here), { padding: VIEW_PADDING, maxZoom: MOST_ZOOM });
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: VIEW_PADDING, maxZoom: MOST_ZOOM });
    } else if (points.length === 1) {
      map.setView(points[0], Math.max(zoom, 15));
    } else {
      map.setView(centre, zoom);
    }
    zoomed();
    if (!clusters) {
      // The list's page alone (the static export, or a word search): every numbered marker drawn.
      for (var each = 0; each < numbered.length; each += 1) {
        numbered[each].addTo(map);
      }
      return;
    }
    focusAfterZoom(map, clusters); // before the layer is on the map, so that its key handler runs first
    map.addLayer(clusters);
    for (var one = 0; one < numbered.length; one += 1) {
      clusters.addLayer(numbered[one]); // one by one: not chunked, so no "chunksdone" that loadArea would count
    }
    var status = document.createElement("p");
    status.className = "map-status";
    status.setAttribute("aria-live", "polite");
    element.parentNode.insertBefore(status, element.nextSibling);
    whenSeen(element, function () {
      loadArea(element, clusters, listed, status);
    });
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
