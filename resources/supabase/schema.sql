-- SnapAsset Desktop — cloud sync set-up for a Supabase project (one user, their own files).
--
-- Run once in the SQL editor (or `supabase db push` / `psql -f schema.sql`). Safe to run
-- again: every statement is idempotent. Each signed-in user sees and changes only their own
-- rows and the files under their own folder `<user id>/…` in the `snapasset` bucket.
-- The desktop app only ever holds the anon (publishable) key; never give it a service-role
-- key: that key bypasses every policy below.

-- ---------------------------------------------------------------- tables

create table if not exists public.generations (
    id          text primary key,                 -- the desktop job id, j_<utc time>_<random>
    user_id     uuid not null default auth.uid() references auth.users (id) on delete cascade,
    prompt      text not null default '',
    platforms   jsonb not null default '[]'::jsonb,
    params      jsonb not null default '{}'::jsonb,
    model       text,
    focus_x     real check (focus_x between 0 and 1),
    focus_y     real check (focus_y between 0 and 1),
    created_at  timestamptz not null default now(),
    finished_at timestamptz,
    synced_at   timestamptz not null default now()
);

create table if not exists public.assets (
    generation_id text not null references public.generations (id) on delete cascade,
    user_id       uuid not null default auth.uid() references auth.users (id) on delete cascade,
    platform      text not null,                  -- a platform id, or 'source'
    variant       integer not null default 0 check (variant >= 0),
    width         integer not null check (width > 0),
    height        integer not null check (height > 0),
    format        text not null check (format in ('png', 'jpeg', 'webp')),
    bytes         bigint not null check (bytes >= 0),
    sha256        text not null,
    storage_path  text not null,                  -- <user id>/<yyyy>/<mm>/<job>/<file>
    warning       text,
    synced_at     timestamptz not null default now(),
    primary key (generation_id, platform, variant)  -- the app upserts on this
);

create index if not exists generations_by_user on public.generations (user_id, created_at);
create index if not exists assets_by_user on public.assets (user_id);

-- ---------------------------------------------------------------- row level security

alter table public.generations enable row level security;
alter table public.assets enable row level security;

drop policy if exists "own generations: read" on public.generations;
create policy "own generations: read" on public.generations
    for select to authenticated using (user_id = (select auth.uid()));
drop policy if exists "own generations: add" on public.generations;
create policy "own generations: add" on public.generations
    for insert to authenticated with check (user_id = (select auth.uid()));
drop policy if exists "own generations: change" on public.generations;
create policy "own generations: change" on public.generations
    for update to authenticated
    using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
drop policy if exists "own generations: remove" on public.generations;
create policy "own generations: remove" on public.generations
    for delete to authenticated using (user_id = (select auth.uid()));

drop policy if exists "own assets: read" on public.assets;
create policy "own assets: read" on public.assets
    for select to authenticated using (user_id = (select auth.uid()));
drop policy if exists "own assets: add" on public.assets;
create policy "own assets: add" on public.assets
    for insert to authenticated with check (
        user_id = (select auth.uid())
        and storage_path like (select auth.uid())::text || '/%'
        and exists (select 1 from public.generations g
                    where g.id = generation_id and g.user_id = (select auth.uid()))
    );
drop policy if exists "own assets: change" on public.assets;
create policy "own assets: change" on public.assets
    for update to authenticated
    using (user_id = (select auth.uid()))
    with check (user_id = (select auth.uid())
                and storage_path like (select auth.uid())::text || '/%');
drop policy if exists "own assets: remove" on public.assets;
create policy "own assets: remove" on public.assets
    for delete to authenticated using (user_id = (select auth.uid()));

-- The anon role (signed out) gets nothing: no policy names it.
revoke all on public.generations, public.assets from anon;
grant select, insert, update, delete on public.generations, public.assets to authenticated;

-- ---------------------------------------------------------------- storage

-- Private bucket, images only, 50 MB a file (raise it on paid plans if you need to).
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('snapasset', 'snapasset', false, 52428800,
        array['image/png', 'image/jpeg', 'image/webp'])
on conflict (id) do update set
    public = false,
    file_size_limit = excluded.file_size_limit,
    allowed_mime_types = excluded.allowed_mime_types;

-- Objects live under the owner's folder: the first path segment is their user id.
drop policy if exists "snapasset: read own files" on storage.objects;
create policy "snapasset: read own files" on storage.objects
    for select to authenticated using (
        bucket_id = 'snapasset' and (storage.foldername(name))[1] = (select auth.uid())::text
    );
drop policy if exists "snapasset: add own files" on storage.objects;
create policy "snapasset: add own files" on storage.objects
    for insert to authenticated with check (
        bucket_id = 'snapasset' and (storage.foldername(name))[1] = (select auth.uid())::text
    );
-- Upsert (x-upsert: true) replaces a file: that needs select + update on it as well.
drop policy if exists "snapasset: replace own files" on storage.objects;
create policy "snapasset: replace own files" on storage.objects
    for update to authenticated
    using (bucket_id = 'snapasset' and (storage.foldername(name))[1] = (select auth.uid())::text)
    with check (
        bucket_id = 'snapasset' and (storage.foldername(name))[1] = (select auth.uid())::text
    );
drop policy if exists "snapasset: remove own files" on storage.objects;
create policy "snapasset: remove own files" on storage.objects
    for delete to authenticated using (
        bucket_id = 'snapasset' and (storage.foldername(name))[1] = (select auth.uid())::text
    );
