import type { Entries } from './entry.js';

/** Messages of anjuctl devices add|remove: one entry per message, English and Chinese side by side. */
export const devicesMessages = {
  dvNeedFlag: { en: '{flag} is required (or give the whole device as one YAML/JSON fragment). Models: {models}', zh: '缺少 {flag}（或把整个设备写成一段 YAML/JSON）。型号：{models}' },
  dvUnknownModel: { en: 'unknown model {model}; models this build knows: {models}', zh: '未知型号 {model}；本版本支持的型号：{models}' },
  dvFlagNotFor: { en: '{flag}: not an option of {model} (a {transport} device); its options: {flags}', zh: '{flag}：不适用于 {model}（{transport} 设备）；可用选项：{flags}' },
  dvFlagsAndFragment: { en: 'give the device either as flags or as one fragment, not both (also given: {flags})', zh: '设备要么用选项给出，要么用一段配置给出，不能同时使用（另外给出了：{flags}）' },
  dvFragmentBad: { en: 'the fragment is not a YAML/JSON mapping: {error}', zh: '该片段不是 YAML/JSON 映射：{error}' },
  dvDuplicateId: { en: 'device id {id} is already used ({model}, {room}): choose another id; nothing changed', zh: '设备 ID {id} 已被使用（{model}，{room}）：请换一个 ID；未做任何更改' },
  dvInUse: { en: '{what} {value} is already used by {other}: two devices cannot share it; nothing changed', zh: '{what} {value} 已被 {other} 使用：两台设备不能共用；未做任何更改' },
  dvWhatPort: { en: 'serial port', zh: '串口' },
  dvWhatAddress: { en: 'Bluetooth address', zh: '蓝牙地址' },
  dvWhatIeee: { en: 'Zigbee address', zh: 'Zigbee 地址' },
  dvWhatZ2m: { en: 'Zigbee2MQTT name', zh: 'Zigbee2MQTT 名称' },
  dvNoBus: { en: 'which Modbus bus? Configured: {buses}. Give --bus ID, and --path (RS-485 adapter) or --host (Modbus TCP) to create a new one', zh: '哪条 Modbus 总线？已配置：{buses}。请给出 --bus ID；新建总线还需 --path（RS-485 适配器）或 --host（Modbus TCP）' },
  dvWhichBus: { en: 'several Modbus buses are configured ({buses}): say which with --bus', zh: '配置了多条 Modbus 总线（{buses}）：请用 --bus 指定' },
  dvUnknownBus: { en: 'no Modbus bus {bus} (configured: {buses}); to create it, add --path (RS-485) or --host (Modbus TCP)', zh: '没有 Modbus 总线 {bus}（已配置：{buses}）；如要新建，请加 --path（RS-485）或 --host（Modbus TCP）' },
  dvBusExists: { en: 'bus {bus} exists already: --path/--host only create a new bus (leave them out to add the device to {bus})', zh: '总线 {bus} 已存在：--path/--host 只用于新建总线（去掉它们即可把设备加到 {bus}）' },
  dvNotInForce: { en: '{file} (hash {hash}) is not the config anjud runs (hash {running}): give the file anjud runs with --config (usually /etc/anju/anju.yaml), or apply this one first with `anjuctl config apply`; nothing changed', zh: '{file}（哈希 {hash}）不是 anjud 正在使用的配置（哈希 {running}）：请用 --config 指定 anjud 使用的文件（通常是 /etc/anju/anju.yaml），或先用 `anjuctl config apply` 应用此文件；未做任何更改' },
  dvNotInForceDry: { en: 'note: {file} (hash {hash}) is not the config anjud runs (hash {running}); this dry run shows the changes to {file}', zh: '注意：{file}（哈希 {hash}）不是 anjud 正在使用的配置（哈希 {running}）；本次演练显示的是对 {file} 的更改' },
  dvEditUnsafe: { en: 'cannot edit {file} safely ({error}): edit a copy by hand, then `anjuctl config apply FILE`; nothing changed', zh: '无法安全地修改 {file}（{error}）：请手工修改副本，再执行 `anjuctl config apply FILE`；未做任何更改' },
  dvInvalid: { en: 'with this change, {file} would not be a valid config (nothing changed):', zh: '做此更改后 {file} 将不是有效配置（未做任何更改）：' },
  dvAddHeader: { en: 'add {id} to {file}: {n} change(s)', zh: '向 {file} 添加 {id}：{n} 处变化' },
  dvRemoveHeader: { en: 'remove {id} from {file}: {n} change(s)', zh: '从 {file} 删除 {id}：{n} 处变化' },
  dvDryRun: { en: 'dry run: nothing applied. Run it again without --dry-run to apply', zh: '演练：未应用任何更改。去掉 --dry-run 再执行一次即可应用' },
  dvWrote: { en: 'edited copy written to {file} (`anjuctl config apply {file}` applies it)', zh: '修改后的副本已写入 {file}（`anjuctl config apply {file}` 可应用它）' },
  dvOpenAlarms: { en: 'warning: {id} has {n} open alarm(s): {alarms}. Removing the device does not close them: see `anjuctl alarms list`', zh: '警告：{id} 有 {n} 个未关闭报警：{alarms}。删除设备不会关闭它们：请查看 `anjuctl alarms list`' },
} as const satisfies Entries;
