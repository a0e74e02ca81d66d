/**
 * The command ids in extension/command-ids.ts against package.json: the same set as
 * `contributes.commands`, and every other place package.json names a command (activation events,
 * menus, walkthrough links and completion events) names one of them. A typo there would otherwise
 * only show as a menu item or walkthrough button that does nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMMAND_IDS, CommandId } from '../../extension/command-ids';
import { repoPath } from '../helpers/server';

interface PackageJson {
  activationEvents: string[];
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
    walkthroughs?: { steps: { description: string; completionEvents?: string[] }[] }[];
  };
}

const pkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as PackageJson;
const known = new Set<string>(COMMAND_IDS);

test('contributes.commands lists exactly the ids of extension/command-ids.ts', () => {
  const contributed = pkg.contributes.commands.map((c) => c.command);
  assert.equal(new Set(contributed).size, contributed.length, 'no command contributed twice');
  assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
});

test('activation events name only known commands, and every palette command activates the extension', () => {
  const onCommand = pkg.activationEvents.filter((e) => e.startsWith('onCommand:')).map((e) => e.slice('onCommand:'.length));
  for (const id of onCommand) assert.ok(known.has(id), `activationEvents: unknown command ${id}`);
  // The server menu only exists once the status bar item does, i.e. after activation.
  for (const id of COMMAND_IDS.filter((c) => c !== CommandId.serverMenu)) assert.ok(onCommand.includes(id), `no onCommand:${id}`);
});

test('menus name only known commands', () => {
  for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
    for (const item of items) assert.ok(known.has(item.command), `menus.${menu}: unknown command ${item.command}`);
  }
});

test('walkthrough links and completion events name only known commands', () => {
  for (const step of (pkg.contributes.walkthroughs ?? []).flatMap((w) => w.steps)) {
    for (const [, id] of step.description.matchAll(/\(command:([\w.]+)/g))
      assert.ok(known.has(id), `walkthrough link: unknown command ${id}`);
    for (const event of step.completionEvents ?? []) {
      if (event.startsWith('onCommand:')) assert.ok(known.has(event.slice('onCommand:'.length)), `completionEvents: unknown ${event}`);
    }
  }
});
