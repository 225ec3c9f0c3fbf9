/** Messages of the night chart (report night --format svg|png) and the support bundle's privacy (issue 16 points 4-5). */
export const chartPrivacyMessages = {
  // --- report night --format svg|png (issue 16, point 5) ---
  rcInBed: { en: 'in bed', zh: '在床' },
  rcAsleep: { en: 'asleep', zh: '睡眠' },
  rcBreath: { en: 'breathing /min', zh: '呼吸 次/分' },
  rcHeart: { en: 'heart rate bpm', zh: '心率 次/分' },
  rcSpo2: { en: 'SpO2 %', zh: '血氧 %' },
  rcNoData: { en: 'no readings of this night on the hub', zh: '网关上没有本晚的读数' },
  rcApnea: { en: 'breathing pause', zh: '呼吸暂停' },
  rcDesat: { en: 'desaturation', zh: '血氧下降' },
  rcAlarm: { en: 'alarm', zh: '报警' },
  rcTimes: { en: 'times in {tz}', zh: '时间为 {tz}' },
  rcWritten: { en: 'chart written: {path}', zh: '图表已写入：{path}' },
  rcNoPng: { en: 'PNG needs rsvg-convert, which is not installed (Debian package librsvg2-bin: sudo apt-get install librsvg2-bin); or use --format svg', zh: 'PNG 需要 rsvg-convert，但未安装（Debian 软件包 librsvg2-bin：sudo apt-get install librsvg2-bin）；或使用 --format svg' },
  rcPngFailed: { en: 'rsvg-convert could not draw the PNG: {error}', zh: 'rsvg-convert 无法生成 PNG：{error}' },
  rcBadFormat: { en: '--format: expected svg or png, found {value}', zh: '--format：应为 svg 或 png，实际为 {value}' },
  rcNeedsOut: { en: '--format png writes a file: give --out FILE', zh: '--format png 会写入文件：请给出 --out FILE' },
  // --- support-bundle personal data (issue 16, point 4) ---
  sbPersonalKept: { en: 'WARNING: --include-personal: this bundle holds the resident\'s personal data (names, address, phone numbers). Under PIPL send it only to whom the care contract allows, and delete it when done.', zh: '警告：--include-personal：此诊断包含有住户个人信息（姓名、地址、电话号码）。依《个人信息保护法》仅可发送给护理合同允许的对象，用完即删除。' },
} as const;
