// /tasks and /restoreSessions (API spec §5, §6.4). Tasks are visible only to the session
// that created them (§11 #4): another session's task id is a 404.

import { HttpError, respond, wantsEntity, type Ctx } from './context.js';
import { restoreSessionEl, taskEl, tasksEl } from './reps-core.js';
import { stateOf, type TaskM } from './tasks.js';
import type { Route, World } from './world.js';

function ownTask(w: World, ctx: Ctx, id: string | undefined): TaskM {
  const task = id && ctx.session ? w.tasks.find(id, ctx.session.id) : undefined;
  if (!task) throw new HttpError(404, `Cannot find task [${id}]`);
  return task;
}

export function taskRoutes(w: World): Route[] {
  return [
    {
      pattern: /^\/tasks\/?$/,
      auth: true,
      methods: { GET: (ctx) => respond(ctx, 200, tasksEl(ctx.api, w.tasks.ofSession(ctx.session?.id ?? ''), ctx.now)) },
    },
    {
      pattern: /^\/tasks\/([^/]+)$/,
      auth: true,
      methods: {
        GET: (ctx, [id]) => respond(ctx, 200, taskEl(ctx.api, ownTask(w, ctx, id), ctx.now)),
        DELETE: (ctx, [id]) => {
          const task = ownTask(w, ctx, id);
          ctx.deletedState = stateOf(task, ctx.now);
          w.tasks.delete(task, ctx.now);
          return respond(ctx, 204);
        },
      },
    },
    {
      pattern: /^\/restoreSessions\/([^/]+)$/,
      auth: true,
      methods: {
        GET: (ctx, [id]) => {
          const rs = w.restoreSessions.get(id?.toLowerCase() ?? '');
          if (!rs) throw new HttpError(404, `Cannot find restore session [${id}]`);
          return respond(ctx, 200, restoreSessionEl(ctx.api, rs, wantsEntity(ctx.params), ctx.now));
        },
      },
    },
  ];
}
