-- SnapAsset Desktop — optional shared-team variant. Run AFTER schema.sql.
--
-- Members of a team can read (and pull into their library) each other's generations and
-- files; each person still writes only their own rows and their own folder. Teams and
-- memberships are managed by the project owner in the SQL editor or the table editor (the
-- app never changes them), e.g.:
--
--   insert into public.teams (name) values ('Studio') returning id;
--   insert into public.team_members (team_id, user_id) values ('<team id>', '<user id>');

create table if not exists public.teams (
    id         uuid primary key default gen_random_uuid(),
    name       text not null,
    created_at timestamptz not null default now()
);

create table if not exists public.team_members (
    team_id uuid not null references public.teams (id) on delete cascade,
    user_id uuid not null references auth.users (id) on delete cascade,
    primary key (team_id, user_id)
);
create index if not exists team_members_by_user on public.team_members (user_id);

alter table public.teams enable row level security;
alter table public.team_members enable row level security;

-- Security definer, so the policies below can ask without recursing through RLS.
-- Takes text, so a storage path whose first folder isn't a user id is simply "no".
create or replace function public.shares_team_with(other text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select exists (
        select 1
        from public.team_members mine
        join public.team_members theirs on theirs.team_id = mine.team_id
        where mine.user_id = (select auth.uid()) and theirs.user_id::text = other
    );
$$;
revoke all on function public.shares_team_with(text) from public, anon;
grant execute on function public.shares_team_with(text) to authenticated;

drop policy if exists "members see their teams" on public.teams;
create policy "members see their teams" on public.teams
    for select to authenticated using (
        exists (select 1 from public.team_members m
                where m.team_id = id and m.user_id = (select auth.uid()))
    );
drop policy if exists "members see their team's members" on public.team_members;
create policy "members see their team's members" on public.team_members
    for select to authenticated using (public.shares_team_with(user_id::text));

grant select on public.teams, public.team_members to authenticated;

-- Read access to teammates' work (writes stay "own only", from schema.sql).
drop policy if exists "team generations: read" on public.generations;
create policy "team generations: read" on public.generations
    for select to authenticated using (public.shares_team_with(user_id::text));
drop policy if exists "team assets: read" on public.assets;
create policy "team assets: read" on public.assets
    for select to authenticated using (public.shares_team_with(user_id::text));
drop policy if exists "snapasset: read team files" on storage.objects;
create policy "snapasset: read team files" on storage.objects
    for select to authenticated using (
        bucket_id = 'snapasset'
        and public.shares_team_with((storage.foldername(name))[1])
    );
