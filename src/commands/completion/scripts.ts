import type { Command } from 'commander';

// Shell completion generated from the commander program itself, so it never drifts from the
// real flags. Dataset names are completed for `export`, `schema` and `datasets`.

export type Shell = 'bash' | 'zsh' | 'fish';

interface Spec {
  commands: { name: string; description: string; flags: string[] }[];
  datasets: string[];
}

export function completionSpec(program: Command, datasets: readonly string[]): Spec {
  return {
    commands: program.commands.map((c) => ({
      name: c.name(),
      description: c.description().replace(/'/g, ''),
      flags: c.options.filter((o) => !o.hidden).flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))),
    })),
    datasets: [...datasets],
  };
}

export function completionScript(shell: Shell, spec: Spec): string {
  switch (shell) {
    case 'bash':
      return bash(spec);
    case 'zsh':
      return zsh(spec);
    case 'fish':
      return fish(spec);
  }
}

function bash(spec: Spec): string {
  const cases = spec.commands.map((c) => `    ${c.name}) flags="${c.flags.join(' ')}" ;;`).join('\n');
  return `# mbuzz completion for bash: eval "$(mbuzz completion bash)"
_mbuzz() {
  # Words split on blanks only, from the line itself: bash splits COMP_WORDS at ':' too
  # (COMP_WORDBREAKS), which would cut a dataset like mixpanel:events in three.
  local line="\${COMP_LINE:0:COMP_POINT}"
  local -a words
  read -ra words <<< "$line"
  [[ -z "$line" || "$line" == *[[:blank:]] ]] && words+=("")
  local cword=$(( \${#words[@]} - 1 ))
  local cur="\${words[cword]}" prev="" cmd="\${words[1]}" flags
  [ "$cword" -gt 0 ] && prev="\${words[cword-1]}"
  if [ "$cword" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${spec.commands.map((c) => c.name).join(' ')}" -- "$cur") )
    return
  fi
  case "$prev" in
    -f|--format) COMPREPLY=( $(compgen -W "ndjson csv parquet" -- "$cur") ); return ;;
    -o|--output) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    --as) COMPREPLY=( $(compgen -W "json sql" -- "$cur") ); return ;;
  esac
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" != -* ]] && { [ "$cmd" = export ] || [ "$cmd" = schema ] || [ "$cmd" = datasets ]; } && [ "$cword" -eq 2 ]; then
    COMPREPLY=( $(compgen -W "${spec.datasets.join(' ')}" -- "$cur") )
    # bash replaces only what follows the last ':' of the word: hand back just that part
    if [[ "$cur" == *:* && "\${COMP_WORDBREAKS:-}" == *:* ]]; then
      local keep="\${cur%"\${cur##*:}"}"
      COMPREPLY=( "\${COMPREPLY[@]#"$keep"}" )
    fi
    return
  fi
  COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
}
complete -F _mbuzz mbuzz
`;
}

/** Native zsh (bashcompinit's emulation chokes on bash's ${var:offset:length}); `compadd` keeps `provider:dataset` whole. */
function zsh(spec: Spec): string {
  const q = (x: string) => `'${x.replace(/'/g, "'\\''")}'`;
  const commands = spec.commands.map((c) => q(`${c.name}:${c.description.replace(/:/g, '\\:')}`)).join(' ');
  const cases = spec.commands.map((c) => `    ${c.name}) compadd -- ${c.flags.join(' ')} ;;`).join('\n');
  return `#compdef mbuzz
# mbuzz completion for zsh: source <(mbuzz completion zsh), after compinit
_mbuzz() {
  local -a commands
  commands=(${commands})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "\${words[CURRENT-1]}" in
    -f|--format) compadd ndjson csv parquet; return ;;
    -o|--output) _files; return ;;
    --as) compadd json sql; return ;;
  esac
  if [[ "$PREFIX" != -* ]] && (( CURRENT == 3 )) && [[ "\${words[2]}" == (export|schema|datasets) ]]; then
    compadd -- ${spec.datasets.join(' ')}
    return
  fi
  case "\${words[2]}" in
${cases}
  esac
}
compdef _mbuzz mbuzz
`;
}

function fish(spec: Spec): string {
  const lines = ['# mbuzz completion for fish: mbuzz completion fish | source', 'complete -c mbuzz -f'];
  for (const c of spec.commands) lines.push(`complete -c mbuzz -n '__fish_use_subcommand' -a ${c.name} -d '${c.description}'`);
  for (const c of spec.commands) {
    for (const f of c.flags.filter((x) => x.startsWith('--'))) lines.push(`complete -c mbuzz -n '__fish_seen_subcommand_from ${c.name}' -l ${f.slice(2)}`);
  }
  lines.push(`complete -c mbuzz -n '__fish_seen_subcommand_from export schema datasets' -a '${spec.datasets.join(' ')}'`);
  lines.push(`complete -c mbuzz -n '__fish_seen_subcommand_from export' -s f -l format -xa 'ndjson csv parquet'`);
  return `${lines.join('\n')}\n`;
}
