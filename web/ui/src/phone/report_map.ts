// The report form's map (Leaflet, loaded on its own so the form shows first on a slow link): the
// worker's grid and micro-grids drawn from their outlines on a plain background (no tiles: none
// are reachable offline or from a village), the GPS fix with its accuracy circle, and a pin the
// worker drags to where the event really is.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { GridOutlines } from './geo';

export interface LonLat {
  lon: number;
  lat: number;
}

export class ReportMap {
  private map: L.Map;
  private outlines: L.GeoJSON | null = null;
  private pin: L.Marker | null = null;
  private fix: L.Circle | null = null;
  private framed = false;

  // moved is called as the pin is dragged (drag: true while it moves, false once dropped).
  constructor(el: HTMLElement, private moved: (p: LonLat, dropped: boolean) => void, labels: { pin: string }) {
    this.map = L.map(el, { zoomControl: true, attributionControl: false, zoomSnap: 0.5, minZoom: 8, maxZoom: 19 });
    this.map.setView([35, 111], 12);
    this.pinLabel = labels.pin;
    // The micro-grids' names only while the grid is drawn large enough to hold them.
    this.map.on('zoomend', () => this.labels());
  }

  private pinLabel: string;

  setOutlines(o: GridOutlines | undefined): void {
    this.outlines?.remove();
    this.outlines = null;
    if (!o || o.features.length === 0) return;
    this.outlines = L.geoJSON(o as unknown as GeoJSON.FeatureCollection, {
      style: (f) => (f?.properties.level === 4
        ? { color: '#b8232f', weight: 3, fill: false, interactive: false }
        : { color: '#1f4fb8', weight: 1.5, fillColor: '#1f4fb8', fillOpacity: 0.06, interactive: false }),
      onEachFeature: (f, layer) => {
        if (f.properties.level === 5) layer.bindTooltip(String(f.properties.name).replace(/^.*网格(?=第)/, ''), { permanent: true, direction: 'center', className: 'unit-label', pane: 'shadowPane' });
      },
    }).addTo(this.map);
    this.outlines.bringToBack();
    this.frame();
    this.labels();
  }

  private labels(): void {
    if (!this.outlines) return;
    const b = this.outlines.getBounds();
    const px = this.map.latLngToContainerPoint(b.getSouthWest()).y - this.map.latLngToContainerPoint(b.getNorthEast()).y;
    this.map.getContainer().classList.toggle('no-labels', px < 160);
  }

  // setFix shows the GPS fix; the pin follows it unless the worker has placed it.
  setFix(fix: LonLat, accuracyM: number, pin: LonLat): void {
    const at = L.latLng(fix.lat, fix.lon);
    if (!this.fix) this.fix = L.circle(at, { radius: accuracyM, color: '#1f7a3a', weight: 1, fillOpacity: 0.12, interactive: false }).addTo(this.map);
    this.fix.setLatLng(at).setRadius(accuracyM);
    this.setPin(pin);
    // A fix off the map (the worker walked out of the grid): show the grid and the pin again.
    if (!this.map.getBounds().contains(L.latLng(pin.lat, pin.lon))) this.framed = false;
    this.frame();
  }

  setPin(p: LonLat): void {
    const at = L.latLng(p.lat, p.lon);
    if (!this.pin) {
      this.pin = L.marker(at, {
        draggable: true, autoPan: true, keyboard: true, title: this.pinLabel, alt: this.pinLabel,
        icon: L.divIcon({ className: 'pin', html: '<span></span>', iconSize: [44, 44], iconAnchor: [22, 44] }),
      }).addTo(this.map);
      const where = (dropped: boolean) => {
        const ll = this.pin!.getLatLng();
        this.moved({ lon: ll.lng, lat: ll.lat }, dropped);
      };
      this.pin.on('drag', () => where(false));
      this.pin.on('dragend', () => where(true));
    }
    this.pin.setLatLng(at);
  }

  // frame fits the grid and the pin once both are known, so a worker outside the grid sees
  // where it is; later fixes leave the worker's zoom alone while the pin stays in view.
  private frame(): void {
    if (this.framed || !this.pin) return;
    let b = L.latLngBounds([this.pin.getLatLng()]);
    if (this.outlines) b = b.extend(this.outlines.getBounds());
    // Not animated: a second fit during the first one's animation would be dropped by Leaflet.
    this.map.fitBounds(b, { maxZoom: 16, animate: false, paddingTopLeft: [16, 52], paddingBottomRight: [16, 12] }); // room for the pin above its tip
    this.framed = !!this.outlines;
  }

  // resized: the map was hidden (another tab) and is shown again.
  resized(): void {
    this.map.invalidateSize();
  }
}
