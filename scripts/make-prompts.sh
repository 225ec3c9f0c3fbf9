#!/bin/sh
# Generates the spoken prompts of the escalation ladder (issue 15) into prompts/, once; the WAV files
# are committed, so a build needs no speech synthesiser. Texts: src/escalation/messages.ts
# (PROMPT_TEXTS) and docs/escalation.md; keep the three in step.
# Needs espeak-ng (Debian package espeak-ng, with its Mandarin voice cmn) and python3 (audioop, up to
# Python 3.12): espeak-ng's 22050 Hz is resampled to 8 kHz mono 16-bit PCM, telephone quality, which a
# siren-side speaker and a voice call both carry, at a third of the size.
set -eu
cd "$(dirname "$0")/.."
say() { # name lang voice text
  espeak-ng -v "$3" -s 140 -w "prompts/$1.$2.22k.wav" "$4"
  python3 - "prompts/$1.$2.22k.wav" "prompts/$1.$2.wav" <<'PY'
import audioop, sys, wave
src = wave.open(sys.argv[1], 'rb')
assert src.getnchannels() == 1 and src.getsampwidth() == 2, 'espeak-ng writes mono 16-bit'
pcm, _ = audioop.ratecv(src.readframes(src.getnframes()), 2, 1, src.getframerate(), 8000, None)
out = wave.open(sys.argv[2], 'wb')
out.setnchannels(1); out.setsampwidth(2); out.setframerate(8000); out.writeframes(pcm); out.close()
PY
  rm "prompts/$1.$2.22k.wav"
}
say are-you-ok zh cmn '你还好吗？如果没事，请按按钮。'
say are-you-ok en en-gb 'Are you all right? Press the button if you are.'
say fire zh cmn '火警：请立即离开房间。'
say fire en en-gb 'Fire: leave the flat now.'
say gas zh cmn '燃气泄漏：请开窗，不要开关电器，立即离开。'
say gas en en-gb 'Gas leak: open the windows, do not touch switches, leave now.'
say sos zh cmn '已收到求助，正在通知您的家人。按两下按钮取消。'
say sos en en-gb 'Help is on the way: your family is being told. Press the button twice to cancel.'
say test zh cmn '这是测试。'
say test en en-gb 'This is a test.'
