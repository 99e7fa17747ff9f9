// The phone's websocket is the apps' shared one (lib/socket.ts): online at the server's hello.
export { Socket as PhoneSocket, type ConnState, type Frame, type SocketEvents } from '../lib/socket';
