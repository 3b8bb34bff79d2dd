import type { Command } from 'commander';

// Shell completion generated from the commander program itself, so it never drifts from the
// real flags. Dataset names are completed for `export` and `schema`.

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
      return `#compdef mbuzz\nautoload -U +X bashcompinit && bashcompinit\n${bash(spec)}`;
    case 'fish':
      return fish(spec);
  }
}

function bash(spec: Spec): string {
  const cases = spec.commands.map((c) => `    ${c.name}) flags="${c.flags.join(' ')}" ;;`).join('\n');
  return `# mbuzz completion for bash: eval "$(mbuzz completion bash)"
_mbuzz() {
  local cur prev cmd flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
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
  if [[ "$cur" != -* ]] && { [ "$cmd" = export ] || [ "$cmd" = schema ]; } && [ "$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=( $(compgen -W "${spec.datasets.join(' ')}" -- "$cur") )
    return
  fi
  COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
}
complete -F _mbuzz mbuzz
`;
}

function fish(spec: Spec): string {
  const lines = ['# mbuzz completion for fish: mbuzz completion fish | source', 'complete -c mbuzz -f'];
  for (const c of spec.commands) lines.push(`complete -c mbuzz -n '__fish_use_subcommand' -a ${c.name} -d '${c.description}'`);
  for (const c of spec.commands) {
    for (const f of c.flags.filter((x) => x.startsWith('--'))) lines.push(`complete -c mbuzz -n '__fish_seen_subcommand_from ${c.name}' -l ${f.slice(2)}`);
  }
  lines.push(`complete -c mbuzz -n '__fish_seen_subcommand_from export schema' -a '${spec.datasets.join(' ')}'`);
  lines.push(`complete -c mbuzz -n '__fish_seen_subcommand_from export' -s f -l format -xa 'ndjson csv parquet'`);
  return `${lines.join('\n')}\n`;
}
