"""jieba's segmentation compiled with numba: the same tokens, as integer codes, without a Python
object per token.

jieba cuts a sentence into blocks of characters it looks up (Han U+4E00–U+9FD5, ASCII letters
and digits, ``+#&._%-``) and the characters between them, which stand alone (``\\r\\n`` stays
one token). In a block it finds the most probable route through its prefix dictionary, and with
the HMM hands each run of single characters that is not itself a word to ``jieba.finalseg``.
The kernels here follow ``jieba.Tokenizer.cut`` step by step, with the same floating-point
operations in the same order and the same tie-breaking, over the code points of a whole batch
of sentences:

- the dictionary is a trie: the first character indexes an array, and each deeper edge is one
  64-bit entry of a hash table, its key (node, character) and the child's node together, so a
  step reads one place in memory (the table, at 2 to 4 slots per edge, takes 8 MB for jieba's
  dictionary); every string jieba's ``FREQ`` holds is a node;
- the route score of a word is ``(log(freq) - log(total)) + score after it``, as jieba adds it,
  with the logarithms taken by Python's ``math.log``; on equal scores the longer word wins, as
  jieba's ``max`` over (score, end) pairs decides;
- the HMM is jieba.finalseg's Viterbi over B/M/E/S with its tables and tie-breaking.

Segmentation stores each token by where it ends (jieba's tokens tile the text). Encoding then
gives each a code in the batch's vocabulary: a dictionary string by its trie node, another
single character by its code point (both keys that name the word across batches), any other
string through an exact hash table. Only the last kind becomes a Python string in the batch;
a keyed word becomes one when it first enters a corpus's vocabulary.

Part-of-speech tags and user-dictionary entries without a positive frequency are not
reproduced (:func:`~cityanalytics.text.jieba_dictionary.unreproduced`), nor dictionaries of more
than :data:`MAX_DICTIONARY_CHARS` characters of words (:func:`compiled_limitation`): jieba then
segments.
The reference is a jieba whose process has not loaded such an entry elsewhere: jieba keeps the
words it forces apart in one set shared by all its tokenizers (``finalseg.Force_Split_Words``).
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

import numpy as np
from numba import njit

from cityanalytics.codepoints import code_points, span_strings
from cityanalytics.text.encoding import Vocabulary
from cityanalytics.text.jieba_dictionary import DictionaryEntry, main_dictionary

_N_CODE_POINTS = 0x110000
_EDGE_SHIFT = 21
"""Bits of a code point in a trie edge key (node << 21 | code point)."""
_NODE_BITS = 21
"""Bits of a node in an edge entry: (node << 21 | code point) << 21 | child, 63 bits in all, 0 for none."""
_CHILD_MASK = (1 << _NODE_BITS) - 1
MAX_DICTIONARY_CHARS = (1 << _NODE_BITS) - 1
"""The most characters of dictionary words, jieba's and the entries' together, the compiled trie
takes: besides the root, a word adds at most one node per character, and a node has 21 bits."""
_HAN_FIRST, _HAN_LAST = 0x4E00, 0x9FD5
_B, _M, _E, _S, _PATH = 0, 1, 2, 3, 4


def _block_table() -> np.ndarray:
    """Which code points jieba looks up (its ``re_han_default``)."""
    table = np.zeros(_N_CODE_POINTS, dtype=np.bool_)
    table[_HAN_FIRST : _HAN_LAST + 1] = True
    table[[ord(c) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-"]] = True
    return table


@njit(cache=True, nogil=True)
def _slot(key: int, mask: int) -> int:
    mixed = key * -7046029254386353131  # 0x9E3779B97F4A7C15, Fibonacci hashing
    return (mixed ^ (mixed >> 29)) & mask


def _capacity(n_edges: int) -> int:
    """Slots of an edge table for ``n_edges`` edges: a power of two, two to four per edge."""
    return 1 << int(2 * n_edges).bit_length()


def compiled_limitation(entries: list[DictionaryEntry]) -> str:
    """Why the compiled trie cannot hold jieba's dictionary with these entries; empty if it can."""
    n_chars = _main_dictionary_chars() + sum(len(word) for word, _, _ in entries)
    if n_chars > MAX_DICTIONARY_CHARS:
        return (f"the dictionaries hold {n_chars:,} characters of words, more than the "
                f"{MAX_DICTIONARY_CHARS:,} the compiled trie takes")
    return ""


@lru_cache(maxsize=1)
def _main_dictionary_chars() -> int:
    return sum(map(len, main_dictionary()[0]))


@njit(cache=True, nogil=True)
def _edge_slot(edges, key):
    """The slot of ``edges`` that holds the edge ``key`` (node << 21 | code point), or the empty
    slot where it would go."""
    mask = edges.size - 1
    slot = _slot(key, mask)
    while edges[slot] != 0 and edges[slot] >> _NODE_BITS != key:
        slot = (slot + 1) & mask
    return slot


@njit(cache=True, nogil=True)
def _rehashed(edges, capacity):
    """The edges in a table of ``capacity`` slots."""
    table = np.zeros(capacity, np.int64)
    for entry in edges:
        if entry != 0:
            table[_edge_slot(table, entry >> _NODE_BITS)] = entry
    return table


@njit(cache=True, nogil=True)
def _build_trie(chars, starts, log_freqs, positive, capacity):
    """Insert every word (``chars[starts[w]:starts[w + 1]]``) in order with the log of its frequency
    and whether that is positive; a later line of the same word replaces the earlier one, and a
    prefix is a node of frequency 0, as in jieba's FREQ. The edges go into a table of ``capacity``
    slots (more than the characters). Also returns where each node's string first occurs in
    ``chars`` (start, end)."""
    root = np.full(_N_CODE_POINTS, -1, np.int32)
    edges = np.zeros(capacity, np.int64)
    node_log_freq = np.zeros(chars.size + 1, np.float64)
    node_is_word = np.zeros(chars.size + 1, np.bool_)
    node_span = np.zeros((chars.size + 1, 2), np.int64)
    n_nodes = 1
    for word in range(log_freqs.size):
        node = 0
        for i in range(starts[word], starts[word + 1]):
            cp = chars[i]
            if node == 0:
                child = root[cp]
                if child < 0:
                    child = n_nodes
                    n_nodes += 1
                    root[cp] = child
                    node_span[child, 0], node_span[child, 1] = starts[word], i + 1
            else:
                key = (np.int64(node) << _EDGE_SHIFT) | cp
                slot = _edge_slot(edges, key)
                if edges[slot] != 0:
                    child = edges[slot] & _CHILD_MASK
                else:
                    child = n_nodes
                    n_nodes += 1
                    edges[slot] = (key << _NODE_BITS) | child
                    node_span[child, 0], node_span[child, 1] = starts[word], i + 1
            node = child
        node_log_freq[node], node_is_word[node] = log_freqs[word], positive[word]
    return root, edges, node_is_word[:n_nodes].copy(), node_log_freq[:n_nodes].copy(), node_span[:n_nodes].copy()


@njit(cache=True, nogil=True)
def _child(root, edges, node, cp):
    """The node one character below ``node``, or -1."""
    if node == 0:
        return root[cp]
    entry = edges[_edge_slot(edges, (np.int64(node) << _EDGE_SHIFT) | cp)]
    return np.int32(entry & _CHILD_MASK) if entry != 0 else np.int32(-1)


@njit(cache=True, nogil=True)
def _is_han(cp):
    return _HAN_FIRST <= cp <= _HAN_LAST


@njit(cache=True, nogil=True)
def _is_alnum(cp):
    return (48 <= cp <= 57) or (65 <= cp <= 90) or (97 <= cp <= 122)


@njit(cache=True, nogil=True)
def _route(start, end, cps, root, edges, is_word, log_freq, log_total, route_score, route_end, route_node):
    """jieba's ``get_DAG`` and ``calc`` over the block ``cps[start:end]``: for each position the end
    (inclusive) and trie node of the word that starts the most probable route from there."""
    route_score[end] = 0.0
    for idx in range(end - 1, start - 1, -1):
        best, best_end, best_node = 0.0, -1, -1
        node = 0
        for i in range(idx, end):
            node = _child(root, edges, node, cps[i])
            if node < 0:
                break
            if is_word[node]:
                score = (log_freq[node] - log_total) + route_score[i + 1]
                if best_end < 0 or score >= best:
                    best, best_end, best_node = score, i, node
        if best_end < 0:  # no word starts here: the character alone, at frequency 1
            best, best_end, best_node = (0.0 - log_total) + route_score[idx + 1], idx, root[cps[idx]]
        route_score[idx], route_end[idx], route_node[idx] = best, best_end, best_node


@njit(cache=True, nogil=True)
def _better(score_a, state_a, score_b, state_b):
    """The higher of two (score, state) pairs; on equal scores the state with the later letter in
    BMES, as jieba's ``max`` over (score, state) tuples decides."""
    if score_a > score_b or (score_a == score_b and state_a > state_b):
        return score_a, state_a
    return score_b, state_b


@njit(cache=True, nogil=True)
def _viterbi_words(start, end, cps, starts, emissions, trans, back, token_end, n):
    """Append jieba.finalseg's words of the Han run ``cps[start:end]``: the best B/M/E/S path, where
    two scores are equal taking the later state letter, as jieba's ``max`` over (score, state) does."""
    e_to_b, s_to_b, m_to_m, b_to_m, s_to_s, e_to_s, b_to_e, m_to_e = (trans[0], trans[1], trans[2], trans[3],
                                                                      trans[4], trans[5], trans[6], trans[7])
    first = cps[start] - _HAN_FIRST
    b = starts[_B] + emissions[_B, first]
    m = starts[_M] + emissions[_M, first]
    e = starts[_E] + emissions[_E, first]
    s = starts[_S] + emissions[_S, first]
    for t in range(1, end - start):
        char = cps[start + t] - _HAN_FIRST
        to_b, to_m, to_e, to_s = emissions[_B, char], emissions[_M, char], emissions[_E, char], emissions[_S, char]
        # each state's two possible predecessors (jieba's PrevStatus); a score is (previous + transition) + emission
        new_b, back[t, _B] = _better(e + e_to_b + to_b, _E, s + s_to_b + to_b, _S)
        new_m, back[t, _M] = _better(m + m_to_m + to_m, _M, b + b_to_m + to_m, _B)
        new_s, back[t, _S] = _better(s + s_to_s + to_s, _S, e + e_to_s + to_s, _E)
        new_e, back[t, _E] = _better(m + m_to_e + to_e, _M, b + b_to_e + to_e, _B)
        b, m, e, s = new_b, new_m, new_e, new_s
    state = _S if s >= e else _E
    for t in range(end - start - 1, -1, -1):
        back[t, _PATH] = state
        if t > 0:
            state = back[t, state]
    following = start  # jieba's words: B opens one, E closes it, S stands alone; a trailing rest is one word
    for t in range(end - start):
        state = back[t, _PATH]
        if state == _E or state == _S:
            token_end[n] = start + t + 1
            n += 1
            following = start + t + 1
    if following < end:
        token_end[n] = end
        n += 1
    return n


@njit(cache=True, nogil=True)
def _skip_pieces(start, end, cps, token_end, n):
    """Append finalseg's non-Han pieces: ``re.split('([a-zA-Z0-9]+(?:\\.\\d+)?%?)')``, empty ones dropped."""
    other, p = start, start
    while p < end:
        if not _is_alnum(cps[p]):
            p += 1
            continue
        q = p
        while q < end and _is_alnum(cps[q]):
            q += 1
        if q + 1 < end and cps[q] == 46 and 48 <= cps[q + 1] <= 57:  # "." and a digit
            q += 2
            while q < end and 48 <= cps[q] <= 57:
                q += 1
        if q < end and cps[q] == 37:  # "%"
            q += 1
        if other < p:
            token_end[n] = p
            n += 1
        token_end[n] = q
        n += 1
        other = p = q
    if other < end:
        token_end[n] = end
        n += 1
    return n


@njit(cache=True, nogil=True)
def _unknown_run(start, end, cps, root, edges, is_word, starts, emissions, trans, back, token_end, token_node,
                 n):
    """Append what jieba's ``__cut_DAG`` makes of a run (two or more) of single-character route words:
    its characters if the run is a word, else ``finalseg.cut`` of it."""
    node = 0
    for i in range(start, end):
        node = _child(root, edges, node, cps[i])
        if node < 0:
            break
    if node >= 0 and is_word[node]:
        for i in range(start, end):
            token_end[n] = i + 1
            token_node[n] = root[cps[i]]
            n += 1
        return n
    first = n
    n = _finalseg(start, end, cps, starts, emissions, trans, back, token_end, n)
    token_node[first:n] = -1
    return n


@njit(cache=True, nogil=True)
def _finalseg(start, end, cps, starts, emissions, trans, back, token_end, n):
    """Append ``jieba.finalseg.cut`` of ``cps[start:end]``: the HMM's words of each Han run, the
    letter-and-digit pieces of what lies between."""
    i = start
    while i < end:
        j = i + 1
        han = _is_han(cps[i])
        while j < end and _is_han(cps[j]) == han:
            j += 1
        if han:
            n = _viterbi_words(i, j, cps, starts, emissions, trans, back, token_end, n)
        else:
            n = _skip_pieces(i, j, cps, token_end, n)
        i = j
    return n


@njit(cache=True, nogil=True)
def _finalseg_ends(cps, starts, emissions, trans):
    token_end = np.empty(cps.size, np.int64)
    back = np.empty((cps.size, 5), np.int8)
    return token_end[: _finalseg(0, cps.size, cps, starts, emissions, trans, back, token_end, 0)]


def finalseg_cut(run: str) -> list[str]:
    """``list(jieba.finalseg.cut(run))``: jieba's HMM words of a run of unknown characters, compiled.

    Words jieba forces apart (``finalseg.Force_Split_Words``, from dictionary entries of frequency
    0) are not split: no backend but jieba takes such entries.
    """
    ends = _finalseg_ends(code_points(run), *_hmm_model()).tolist()
    return [run[start:end] for start, end in zip([0, *ends[:-1]], ends)]


@njit(cache=True, nogil=True)
def _segment(cps, bounds, hmm, root, edges, is_word, log_freq, log_total, starts, emissions, trans,
             in_block):
    """Segment each sentence ``cps[bounds[k]:bounds[k + 1]]`` as ``jieba.Tokenizer.cut`` does.

    Tokens tile the text, so each is stored by its end; returns the ends, each token's trie node
    where the route already knows it (else -1), and tokens per sentence.
    """
    size = cps.size
    token_end = np.empty(size, np.int64)
    token_node = np.empty(size, np.int32)
    per_sentence = np.zeros(bounds.size - 1, np.int64)
    route_score = np.empty(size + 1, np.float64)
    route_end = np.empty(size, np.int64)
    route_node = np.empty(size, np.int32)
    back = np.empty((size, 5), np.int8)  # per character: the best predecessor of each HMM state, then the path
    n = 0
    for k in range(bounds.size - 1):
        before = n
        i, stop = bounds[k], bounds[k + 1]
        while i < stop:
            if not in_block[cps[i]]:  # a character jieba does not look up stands alone, as does "\r\n"
                i += 2 if cps[i] == 13 and i + 1 < stop and cps[i + 1] == 10 else 1
                token_end[n], token_node[n] = i, -1
                n += 1
                continue
            end = i + 1
            while end < stop and in_block[cps[end]]:
                end += 1
            _route(i, end, cps, root, edges, is_word, log_freq, log_total, route_score, route_end, route_node)
            x, run = i, -1  # run: start of the pending run of single characters (HMM) or of letters and digits
            while x <= end:
                y = route_end[x] + 1 if x < end else end + 1
                single = x < end and y - x == 1 and (hmm or _is_alnum(cps[x]))
                if single:
                    if run < 0:
                        run = x
                else:
                    if run >= 0:
                        if x - run == 1:
                            token_end[n], token_node[n] = x, route_node[run]
                            n += 1
                        elif hmm:
                            n = _unknown_run(run, x, cps, root, edges, is_word, starts, emissions, trans, back,
                                             token_end, token_node, n)
                        else:
                            token_end[n], token_node[n] = x, -1
                            n += 1
                        run = -1
                    if x < end:
                        token_end[n], token_node[n] = y, route_node[x]
                        n += 1
                x = y
            i = end
        per_sentence[k] = n - before
    return token_end[:n], token_node[:n], per_sentence


@njit(cache=True, nogil=True)
def _content_hash(cps, start, end):
    h = np.int64(-3750763034362895579)  # FNV-1a offset basis
    for i in range(start, end):
        h = (h ^ cps[i]) * 1099511628211
    return h


@njit(cache=True, nogil=True)
def _encode(cps, token_end, token_node, root, edges, n_nodes, seen, interned):
    """Each token's code in the batch vocabulary, numbered in order of first appearance, each code's
    key, and each code's first start and end in ``cps``. A string of the trie is known by its node,
    another single character by ``n_nodes`` plus its code point (both keys, found through ``seen``,
    holding code + 1, and left all 0 again on return), any other string (key -1) by its content in
    the ``interned`` hash table (code + 1)."""
    n = token_end.size
    codes = np.empty(n, np.int32)
    code_key = np.empty(n, np.int64)
    first_start = np.empty(n, np.int64)
    first_end = np.empty(n, np.int64)
    mask = interned.size - 1
    n_vocab, start = 0, 0
    for t in range(n):
        end, node = token_end[t], token_node[t]
        if node < 0:
            node = 0
            for i in range(start, end):
                node = _child(root, edges, node, cps[i])
                if node < 0:
                    break
        key = node if node >= 0 else (n_nodes + cps[start] if end - start == 1 else -1)
        if key >= 0:
            code = seen[key] - 1
            if code < 0:
                code = n_vocab
                seen[key] = code + 1
        else:
            slot = _slot(_content_hash(cps, start, end), mask)
            while True:
                code = interned[slot] - 1
                if code < 0:
                    code = n_vocab
                    interned[slot] = code + 1
                    break
                other = first_start[code]
                if first_end[code] - other == end - start:
                    same = True
                    for i in range(end - start):
                        if cps[other + i] != cps[start + i]:
                            same = False
                            break
                    if same:
                        break
                slot = (slot + 1) & mask
        if code == n_vocab:
            first_start[code], first_end[code], code_key[code] = start, end, key
            n_vocab += 1
        codes[t] = code
        start = end
    for code in range(n_vocab):  # leave ``seen`` all 0 for the next batch, here, where no interrupt can cut in
        if code_key[code] >= 0:
            seen[code_key[code]] = 0
    return codes, code_key[:n_vocab], first_start[:n_vocab], first_end[:n_vocab]


@lru_cache(maxsize=1)
def _hmm_model() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """jieba.finalseg's start scores (B, M, E, S), emission scores of the Han block by state and
    character (its floor where it has none), and the eight transition scores in the order the
    Viterbi uses them."""
    from jieba import finalseg

    floor = finalseg.MIN_FLOAT
    starts = np.array([finalseg.start_P[state] for state in "BMES"], dtype=np.float64)
    emissions = np.full((4, _HAN_LAST - _HAN_FIRST + 1), floor, dtype=np.float64)
    for row, state in enumerate("BMES"):
        for char, score in finalseg.emit_P[state].items():
            if _HAN_FIRST <= ord(char) <= _HAN_LAST:
                emissions[row, ord(char) - _HAN_FIRST] = score
    pairs = ["EB", "SB", "MM", "BM", "SS", "ES", "BE", "ME"]
    trans = np.array([finalseg.trans_P[a].get(b, floor) for a, b in pairs], dtype=np.float64)
    return starts, emissions, trans


class CompiledTokenizer:
    """jieba's segmentation with this configuration's dictionary entries, run by the compiled kernels."""

    releases_gil = True
    """The kernels run without the GIL, so threads of one process segment side by side."""

    def __init__(self, entries: list[DictionaryEntry], *, hmm: bool):
        words, freqs = main_dictionary()
        words = words + [word for word, _, _ in entries]
        freqs = freqs + [freq for _, freq, _ in entries]  # Python integers, as jieba keeps them: no overflow
        log_of = {freq: math.log(freq) for freq in set(freqs) if freq > 0}
        log_freqs = np.fromiter((log_of.get(freq, 0.0) for freq in freqs), dtype=np.float64, count=len(freqs))
        positive = np.fromiter((freq > 0 for freq in freqs), dtype=np.bool_, count=len(freqs))
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        self._dictionary_text = "".join(words)
        if len(self._dictionary_text) > MAX_DICTIONARY_CHARS:
            raise ValueError(compiled_limitation(entries))
        root, edges, is_word, log_freq, self._node_spans = _build_trie(
            code_points(self._dictionary_text), np.r_[0, np.cumsum(lengths)], log_freqs, positive,
            _capacity(len(self._dictionary_text)))
        n_edges = len(is_word) - 1 - int(np.count_nonzero(root >= 0))  # every node but the root and its children
        self.trie = (root, _rehashed(edges, _capacity(n_edges)), is_word, log_freq)
        self.n_nodes = len(is_word)
        self.hmm = hmm
        self.log_total = math.log(sum(freqs))  # jieba adds every line's and every entry's frequency
        self.model = _hmm_model()
        self.in_block = _block_table()
        self._scratch = threading.local()

    def encode_sentences(self, sentences: list[str]) -> tuple[Vocabulary, np.ndarray, None, np.ndarray]:
        """:meth:`encode_code_points` of the sentences."""
        lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences))
        return self.encode_code_points(code_points("".join(sentences)), np.r_[0, np.cumsum(lengths)])

    def encode_code_points(self, points: np.ndarray, bounds: np.ndarray) -> tuple[Vocabulary, np.ndarray, None, np.ndarray]:
        """The vocabulary of the sentences ``points[bounds[k]:bounds[k + 1]]`` (distinct tokens in order
        of first appearance: dictionary strings and single characters by key, other strings as
        strings), every token's code into it, None for tags, and tokens per sentence."""
        token_end, token_node, per_sentence = _segment(points, bounds, self.hmm, *self.trie, self.log_total,
                                                       *self.model, self.in_block)
        seen = self._seen()
        interned = np.zeros(1 << max(int(2 * len(points)).bit_length(), 4), dtype=np.int32)
        codes, keys, starts, ends = _encode(points, token_end, token_node, *self.trie[:2], self.n_nodes, seen,
                                            interned)
        unnamed = keys < 0
        strings = span_strings(points, starts[unnamed], ends[unnamed])
        return Vocabulary(keys, strings), codes, None, per_sentence

    def _seen(self) -> np.ndarray:
        """This thread's table of the codes of keys (code + 1, else 0), all 0 between batches: one
        per thread, because zeroing a fresh one for every batch costs more than the batch's work."""
        seen = getattr(self._scratch, "seen", None)
        if seen is None:
            seen = self._scratch.seen = np.zeros(self.n_keys, dtype=np.int32)
        return seen

    @property
    def n_keys(self) -> int:
        """How many vocabulary keys there can be: the trie's nodes and every code point."""
        return self.n_nodes + _N_CODE_POINTS

    def words(self, keys: np.ndarray) -> list[str]:
        """The strings of vocabulary keys: a trie node's string, or the character ``key - n_nodes``.

        The spans' starts and ends are read as two flat lists of integers, not as one list per
        span: a list per word would be a container the garbage collector tracks, and tens of
        thousands of them alive at once set off its full collections (0.1 s each)."""
        keys = np.asarray(keys, dtype=np.int64)
        spans = self._node_spans[np.minimum(keys, self.n_nodes - 1)]
        text, n_nodes = self._dictionary_text, self.n_nodes
        return [text[a:b] if key < n_nodes else chr(key - n_nodes)
                for key, a, b in zip(keys.tolist(), spans[:, 0].tolist(), spans[:, 1].tolist())]

    def lcut(self, text: str) -> list[str]:
        """The tokens of one text, as ``jieba.Tokenizer.lcut(text, HMM=hmm)`` gives them."""
        vocabulary, codes, _, _ = self.encode_sentences([text])
        words = vocabulary.words(self.words)
        return [words[code] for code in codes.tolist()]
