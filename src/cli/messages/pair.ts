import type { Entries } from './entry.js';

/** Messages of anjuctl pair (Zigbee, --ble): one entry per message, English and Chinese side by side. */
export const pairMessages = {
  pbScanning: { en: 'scanning for Bluetooth LE devices on {adapter} for {n} s...', zh: '正在 {adapter} 上扫描蓝牙 LE 设备 {n} 秒……' },
  pbScanningDefault: { en: 'scanning for Bluetooth LE devices for {n} s (the configured devices\' adapter, else hci0)...', zh: '正在扫描蓝牙 LE 设备 {n} 秒（使用已配置设备的适配器，否则 hci0）……' },
  pbNone: { en: 'no Bluetooth LE device found on {adapter} in {n} s: is it switched on and advertising (some need a button press, or to come off the charger)?', zh: '{n} 秒内在 {adapter} 上没有发现蓝牙 LE 设备：设备是否已开机并在广播（有些需要按键，或从充电座取下）？' },
  pbColAddress: { en: 'ADDRESS', zh: '地址' },
  pbColName: { en: 'NAME', zh: '名称' },
  pbColRssi: { en: 'RSSI', zh: '信号' },
  pbColConfigured: { en: 'CONFIGURED', zh: '已配置' },
  pbUnknownModel: { en: 'unknown', zh: '未知' },
  pbNotConfigured: { en: 'no', zh: '否' },
  pbNotHeard: { en: 'not heard', zh: '未收到' },
  pbToAdd: { en: 'To add a device found above:', zh: '添加上面发现的设备：' },
  pbRoomNote: { en: '(replace <room> with the room it is in, or run pair --ble --room ROOM)', zh: '（把 <room> 换成设备所在房间，或执行 pair --ble --room ROOM）' },
  pbNothingToAdd: { en: 'no new device of a known model ({models}) was found', zh: '没有发现已知型号（{models}）的新设备' },
  pbFailed: { en: 'Bluetooth scan failed: {message}', zh: '蓝牙扫描失败：{message}' },
  pbHintAdapter: { en: 'plug the dongle in, then: rfkill unblock bluetooth; bluetoothctl power on; or name another adapter with --adapter', zh: '插上蓝牙适配器，然后执行：rfkill unblock bluetooth；bluetoothctl power on；或用 --adapter 指定其他适配器' },
  pbHintBluez: { en: 'bluetoothd is not running: sudo systemctl start bluetooth', zh: 'bluetoothd 未运行：sudo systemctl start bluetooth' },
  pbSecondsBle: { en: '--seconds: a BLE scan lasts 1-60 s', zh: '--seconds：蓝牙扫描时长为 1-60 秒' },
} as const satisfies Entries;
