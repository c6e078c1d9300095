"""Checks the seed matrix's objects (configs/aiter-pa-decode-gluon.json) built on the GPU machine:
every code object's metadata as `aotc inspect` reads it equals its manifest record, its target
matches, Triton reports no scratch, and the disassembly (llvm-objdump-22) shows whether it uses
MFMA. Run in the output directory (manifest.json beside gfx942/ and gfx950/):

  python3 check_seed_objects.py path/to/aotc
Prints counts per (entry kind, target, MFMA or not), spill and private-segment totals, and the
problems found.
"""
import json, subprocess, collections, sys
m = json.load(open('manifest.json'))
stats = collections.Counter(); problems = []
for v in m['variants']:
    for o in v['objects']:
        f = o['file']; md = o['metadata']; k = md['kernels'][0]
        rep = json.loads(subprocess.run([sys.argv[1], 'inspect', '--json', f], capture_output=True, text=True).stdout)
        rk = rep[0]['metadata']['kernels'][0]
        for field in ('vgpr_count', 'sgpr_count', 'agpr_count', 'group_segment_size', 'private_segment_size', 'kernarg_size'):
            if rk.get(field) != k.get(field): problems.append((f, field, rk.get(field), k.get(field)))
        if md['target_id'].split(':')[0] != o['target']: problems.append((f, 'target', md['target_id']))
        dis = subprocess.run(['llvm-objdump-22', '-d', '--mcpu=' + o['target'], f], capture_output=True, text=True).stdout
        mfma = dis.count('v_mfma')
        kind = 'attention' if 'dot_kernel' in o['entry'] else 'reduce'
        stats[(kind, o['target'], 'mfma' if mfma else 'no-mfma')] += 1
        stats[('spills', kind)] += k['sgpr_spill_count'] + k['vgpr_spill_count']
        stats[('scratch', kind)] += k['private_segment_size']
        if o['triton']['scratch'] and any(s['size'] for s in o['triton']['scratch']): problems.append((f, 'triton scratch'))
for key in sorted(stats, key=str): print(key, stats[key])
print('problems', len(problems), problems[:5])
