/**
 * The only bridge between the window and the main process: `window.clinic.invoke(channel, request)`
 * and `window.clinic.onEvent(listener)`. Nothing else of Electron or Node is exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppEvent, ClinicBridge, Envelope } from '../src/ipc/contract';

const bridge: ClinicBridge = {
  invoke: (channel: string, request: unknown) =>
    ipcRenderer.invoke('clinic:invoke', String(channel), request) as Promise<Envelope<unknown>>,
  onEvent: (listener: (event: AppEvent) => void) => {
    const l = (_e: IpcRendererEvent, event: AppEvent): void => listener(event);
    ipcRenderer.on('clinic:event', l);
    return () => {
      ipcRenderer.removeListener('clinic:event', l);
    };
  },
};

contextBridge.exposeInMainWorld('clinic', bridge);
